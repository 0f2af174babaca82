"""Sign-in and unlock failures, as the sentence the user reads and the field it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from client.replica.errors import (
    KeyNotFound,
    LeaseExpired,
    LeaseInvalid,
    ReplicaError,
    ReplicaMismatch,
    ReplicaTooNew,
    WrongPassphrase,
)
from client.sync.errors import (
    DeviceRevoked,
    InvalidCredentials,
    PermissionDeniedError,
    RateLimited,
    SchemaOutdated,
    ServerUnavailable,
    SessionExpired,
    SyncError,
)


@dataclass(frozen=True)
class Explained:
    text: str
    #: "password", "passphrase" or None for the dialog's banner.
    field: str | None = None
    kind: str = "error"
    #: The lease ran out: only an online sign-in can open this replica again.
    needs_sign_in: bool = False


def explain(exc: BaseException, server: str = "the server") -> Explained:
    if isinstance(exc, InvalidCredentials):
        return Explained("Wrong email or password.", "password")
    if isinstance(exc, WrongPassphrase):
        return Explained("Wrong passphrase: nothing was opened or changed.", "passphrase")
    if isinstance(exc, RateLimited):
        return Explained("Too many attempts. Wait a minute, then try again.")
    if isinstance(exc, ServerUnavailable):
        return Explained(
            f"Can't reach {server}. Check the address and your connection, then try again."
        )
    if isinstance(exc, SchemaOutdated):
        return Explained(
            "The server runs a newer version of C&C CRM. Update this app to sign in.",
            kind="warning",
        )
    if isinstance(exc, DeviceRevoked):
        return Explained(
            "An administrator revoked this computer's access, so its stored data was erased. "
            "Ask your administrator to allow this computer again."
        )
    if isinstance(exc, PermissionDeniedError | SessionExpired):
        return Explained(f"The server refused this sign-in: {exc.message}")
    if isinstance(exc, LeaseExpired):
        return Explained(
            "You have been offline longer than your company allows. Connect and sign in "
            "with your password: your data, including unsynced changes, is kept.",
            kind="warning",
            needs_sign_in=True,
        )
    if isinstance(exc, LeaseInvalid | KeyNotFound):
        return Explained(
            "This computer can't unlock the saved data on its own. Sign in with your "
            "password to unlock it.",
            kind="warning",
            needs_sign_in=True,
        )
    if isinstance(exc, ReplicaTooNew):
        return Explained("The data here was saved by a newer C&C CRM. Update this app.")
    if isinstance(exc, ReplicaMismatch):
        return Explained(str(exc))
    if isinstance(exc, SyncError | ReplicaError):
        return Explained(str(exc))
    return Explained(f"Something went wrong: {exc}")
