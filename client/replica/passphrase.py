"""The replica key wrapped under the user's passphrase, for machines without a keyring.

scrypt (n=2**15, r=8, p=1) turns the passphrase into a key-encryption key;
AES-256-GCM wraps the replica key. Everything but the ciphertext is bound
as associated data, so editing the KDF parameters or the context in the file
fails authentication instead of weakening it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from client.replica._files import write_private_file
from client.replica.errors import KeyFileCorrupt, KeyNotFound, WrongPassphrase

#: "unlock" asks for the existing passphrase; "create" for a new one (confirm it twice).
PassphrasePrompt = Literal["unlock", "create"]
PassphraseProvider = Callable[[PassphrasePrompt], str]

FORMAT = "cnc-replica-key"
FORMAT_VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT_BYTES, NONCE_BYTES, KEY_BYTES = 16, 12, 32
#: Bounds on parameters read from disk: a crafted file must not cost minutes or gigabytes.
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int | None, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise KeyFileCorrupt(f"wrapped key file: bad {what}") from exc
    if size is not None and len(data) != size:
        raise KeyFileCorrupt(f"wrapped key file: {what} has {len(data)} bytes, expected {size}")
    return data


def derive_kek(passphrase: str, salt: bytes, *, n: int, r: int, p: int) -> bytes:
    """Key-encryption key from a passphrase; NFC so the same words typed anywhere match."""
    if not passphrase:
        raise ValueError("the passphrase must not be empty")
    normalised = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(normalised)


class PassphraseKeyStore:
    """One replica key in a small JSON file, unlocked by asking for the passphrase."""

    def __init__(
        self,
        path: Path,
        passphrase_provider: PassphraseProvider,
        *,
        context: bytes = b"",
        scrypt_n: int = SCRYPT_N,
    ) -> None:
        self.path = Path(path)
        self.passphrase_provider = passphrase_provider
        self.context = context
        self.scrypt_n = scrypt_n

    def exists(self) -> bool:
        return self.path.is_file()

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)

    def save(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a replica key is {KEY_BYTES} raw bytes")
        passphrase = self.passphrase_provider("create")
        header: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "context": _b64(self.context),
            "kdf": {
                "name": "scrypt",
                "n": self.scrypt_n,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": _b64(os.urandom(SALT_BYTES)),
            },
            "cipher": {"name": "aes-256-gcm", "nonce": _b64(os.urandom(NONCE_BYTES))},
        }
        kdf, cipher = header["kdf"], header["cipher"]
        kek = derive_kek(
            passphrase, base64.b64decode(kdf["salt"]), n=kdf["n"], r=kdf["r"], p=kdf["p"]
        )
        ciphertext = AESGCM(kek).encrypt(
            base64.b64decode(cipher["nonce"]), key, _associated_data(header)
        )
        document = {**header, "ciphertext": _b64(ciphertext)}
        write_private_file(self.path, json.dumps(document, indent=2).encode("utf-8") + b"\n")

    def load(self) -> bytes:
        header, ciphertext = self._read()
        kdf = header["kdf"]
        passphrase = self.passphrase_provider("unlock")
        kek = derive_kek(
            passphrase, _unb64(kdf["salt"], SALT_BYTES, "salt"), n=kdf["n"], r=kdf["r"], p=kdf["p"]
        )
        nonce = _unb64(header["cipher"]["nonce"], NONCE_BYTES, "nonce")
        try:
            return AESGCM(kek).decrypt(nonce, ciphertext, _associated_data(header))
        except InvalidTag:
            raise WrongPassphrase(
                "wrong passphrase: the replica key could not be unlocked (nothing was changed)"
            ) from None

    def _read(self) -> tuple[dict[str, Any], bytes]:
        try:
            document = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise KeyNotFound(f"no wrapped replica key at {self.path}") from None
        except (OSError, ValueError) as exc:
            raise KeyFileCorrupt(f"unreadable wrapped key file {self.path}: {exc}") from exc
        try:
            if document["format"] != FORMAT or document["version"] != FORMAT_VERSION:
                raise KeyFileCorrupt(f"{self.path} is not a version {FORMAT_VERSION} key file")
            kdf, cipher = document["kdf"], document["cipher"]
            if kdf["name"] != "scrypt" or cipher["name"] != "aes-256-gcm":
                raise KeyFileCorrupt(f"{self.path}: unknown kdf or cipher")
            n, r, p = kdf["n"], kdf["r"], kdf["p"]
            if not all(isinstance(v, int) for v in (n, r, p)) or not (
                2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P
            ):
                raise KeyFileCorrupt(f"{self.path}: scrypt parameters out of bounds")
            if _unb64(document["context"], None, "context") != self.context:
                raise KeyFileCorrupt(f"{self.path} belongs to another replica")
            ciphertext = _unb64(document["ciphertext"], KEY_BYTES + 16, "ciphertext")
        except (KeyError, TypeError) as exc:
            raise KeyFileCorrupt(f"{self.path}: missing field {exc}") from exc
        header = {k: v for k, v in document.items() if k != "ciphertext"}
        return header, ciphertext


def _associated_data(header: dict[str, Any]) -> bytes:
    """Canonical bytes of the header, authenticated alongside the key."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
