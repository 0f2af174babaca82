"""Server-side secrets at rest (DESIGN 7): AES-256-GCM under the server's encryption key.

Every sealed value is bound, as associated data, to what owns it (a device id,
or an ``encrypted_data`` row's tenant, table, row and field), so ciphertext
copied onto another owner does not open. A fresh 96-bit nonce per seal.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared_models.models import EncryptedData

NONCE_BYTES = 12
ALGORITHM = "AES-256-GCM"


def seal(plaintext: bytes, *, key: bytes, aad: bytes) -> bytes:
    """``nonce || ciphertext`` of ``plaintext`` bound to ``aad``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(sealed: bytes, *, key: bytes, aad: bytes) -> bytes | None:
    """The plaintext, or None when it does not open (other key, other owner, tampered)."""
    if len(sealed) <= NONCE_BYTES:
        return None
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        return None


def key_id(server_key: bytes) -> str:
    """Names the server key that sealed a row (rotation re-seals key by key)."""
    return hashlib.sha256(b"cnc-encryption-key-id:" + server_key).hexdigest()[:16]


def _row_aad(row: EncryptedData) -> bytes:
    return f"{row.tenant_id}|{row.entity_table}|{row.entity_id}|{row.field_name}".encode()


def seal_into(row: EncryptedData, plaintext: bytes, *, server_key: bytes) -> None:
    """Fill an ``encrypted_data`` row's ciphertext, nonce and key id for ``plaintext``."""
    sealed = seal(plaintext, key=server_key, aad=_row_aad(row))
    row.nonce, row.ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    row.key_id = key_id(server_key)
    row.algorithm = ALGORITHM


def open_sealed(row: EncryptedData, *, server_key: bytes) -> bytes | None:
    """An ``encrypted_data`` row's plaintext, or None when it does not open."""
    return unseal(bytes(row.nonce) + bytes(row.ciphertext), key=server_key, aad=_row_aad(row))
