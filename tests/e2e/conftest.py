"""A real server on 127.0.0.1 over a migrated PostgreSQL, and real encrypted client replicas."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from client import cli
from client.replica import LocalStore
from client.replica.paths import DATA_DIR_ENV
from client.services import LocalWriteService
from client.session import ClientSession, Profile, sign_in
from client.sync.clock import DeviceClock
from client.sync.engine import SyncEngine
from client.sync.protocol import HttpSyncProtocol
from tests.utils.auth import Account, World
from tests.utils.e2e import Scene, ServerDb
from tests.utils.seeded import SeededClones
from tests.utils.server import live_server
from tests.utils.worlds import clone_world_db, cloned_scene

PASSPHRASE = "correct horse battery staple"


@dataclass
class Client:
    """One laptop: its data dir, replica, session and engine."""

    data_dir: Path
    store: LocalStore
    session: ClientSession
    profile: Profile
    engine: SyncEngine
    protocol: HttpSyncProtocol

    def close(self) -> None:
        if not self.store.closed:
            self.store.close()
        self.protocol.close()

    @property
    def writes(self) -> LocalWriteService:
        """The UI's write path on this laptop (row + outbox mutation in one transaction)."""
        user = self.session.user
        return LocalWriteService(
            self.store,
            user_id=user["id"],
            tenant_id=user["tenant_id"],
            device_id=self.session.device_id,
            hlc=DeviceClock.for_store(self.store),
        )

    def sync(self) -> object:
        return self.engine.sync_once()


@pytest.fixture(autouse=True)
def headless_keyring() -> Iterator[None]:
    """Field laptops without a keyring: replica key behind the passphrase."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def world_db(request: pytest.FixtureRequest, seeded_db: SeededClones) -> tuple[str, World]:
    return clone_world_db(request, seeded_db)


@pytest.fixture
def server_secrets() -> dict[str, str]:
    """Secrets shared by every server process of a test (what a load balancer's pool shares)."""
    return {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    }


@pytest.fixture
def base_url(world_db: tuple[str, World], server_secrets: dict[str, str]) -> Iterator[str]:
    with live_server(world_db[0], **server_secrets) as base:
        yield base


@pytest.fixture
def scene(world_db: tuple[str, World], seeded_db: SeededClones) -> Scene:
    """A second tenant with branches, dispatchers, crew leads, jobs and stock (tests/utils/e2e)."""
    return cloned_scene(world_db, seeded_db)


@pytest.fixture
def server_db(world_db: tuple[str, World]) -> Iterator[ServerDb]:
    db = ServerDb(world_db[0])
    yield db
    db.close()


@pytest.fixture
def make_client(
    base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(
        account: Account, name: str, transport: object = None, server: str | None = None
    ) -> Client:
        url = server or base_url
        data_dir = tmp_path / name
        monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
        protocol = HttpSyncProtocol(url, transport)  # type: ignore[arg-type]
        store, session, profile = sign_in(
            url,
            account.email,
            account.password,
            protocol=protocol,
            passphrase_provider=lambda _: PASSPHRASE,
            device_name=name,
        )
        engine = SyncEngine(store, protocol, session, device_id=str(session.device_id))
        client = Client(data_dir, store, session, profile, engine, protocol)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliRun]:
    """``cnc-client ARGS`` in-process on a laptop's data dir, as a support person runs it."""

    def run(client: Client, *argv: str) -> CliRun:
        monkeypatch.setenv(DATA_DIR_ENV, str(client.data_dir))
        monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
