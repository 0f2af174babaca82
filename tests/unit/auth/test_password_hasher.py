"""Which argon2 parameters hash passwords: production's unless a test suite says otherwise."""

from __future__ import annotations

import pytest
from argon2 import Parameters, PasswordHasher, Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from sync_server.auth.passwords import (
    FAST_TEST_ONLY,
    HASHER_ENV,
    PRODUCTION,
    current_hasher,
    hash_password,
    needs_rehash,
    verify_password,
)
from tests.utils.auth import PASSWORD, _password_hash


def _parameters(hasher: PasswordHasher) -> Parameters:
    return Parameters(
        type=hasher.type,
        version=19,
        salt_len=hasher.salt_len,
        hash_len=hasher.hash_len,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
    )


PRODUCTION_PARAMETERS = _parameters(PasswordHasher())


def test_production_parameters_are_argon2s_defaults_the_rfc_9106_low_memory_profile() -> None:
    assert PRODUCTION_PARAMETERS == RFC_9106_LOW_MEMORY
    assert PRODUCTION_PARAMETERS.type is Type.ID
    assert PRODUCTION_PARAMETERS.time_cost == 3 and PRODUCTION_PARAMETERS.memory_cost == 65536


def test_without_the_setting_passwords_are_hashed_with_the_production_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(HASHER_ENV, raising=False)
    assert _parameters(current_hasher()) == PRODUCTION_PARAMETERS
    stored = hash_password(PASSWORD)
    assert extract_parameters(stored) == PRODUCTION_PARAMETERS
    assert verify_password(stored, PASSWORD) and not needs_rehash(stored)


@pytest.mark.parametrize("value", ["", "  ", PRODUCTION])
def test_a_blank_or_production_setting_means_the_production_parameters(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(HASHER_ENV, value)
    assert _parameters(current_hasher()) == PRODUCTION_PARAMETERS


def test_production_upgrades_a_hash_made_by_the_test_hasher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASHER_ENV, FAST_TEST_ONLY)
    cheap = hash_password(PASSWORD)
    monkeypatch.setenv(HASHER_ENV, PRODUCTION)
    assert verify_password(cheap, PASSWORD)
    assert needs_rehash(cheap)


def test_the_test_hasher_verifies_its_own_hashes_without_asking_for_a_rehash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASHER_ENV, FAST_TEST_ONLY)
    cheap = hash_password(PASSWORD)
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_password(cheap, PASSWORD) and not verify_password(cheap, PASSWORD + "x")
    assert not needs_rehash(cheap)  # so test sign-ins do not each rehash


def test_the_shared_test_account_hash_follows_the_hasher_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASHER_ENV, FAST_TEST_ONLY)
    assert not needs_rehash(_password_hash())
    monkeypatch.setenv(HASHER_ENV, PRODUCTION)
    assert not needs_rehash(_password_hash())
    assert verify_password(_password_hash(), PASSWORD)


def test_an_unknown_hasher_name_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASHER_ENV, "md5")
    with pytest.raises(ValueError, match=r"CNC_PASSWORD_HASHER='md5' is not a known hasher"):
        hash_password(PASSWORD)


def test_the_test_hasher_is_refused_in_a_production_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASHER_ENV, FAST_TEST_ONLY)
    monkeypatch.setenv("CNC_ENVIRONMENT", "production")
    with pytest.raises(RuntimeError, match="for test suites only"):
        hash_password(PASSWORD)
    monkeypatch.setenv(HASHER_ENV, PRODUCTION)
    assert extract_parameters(hash_password(PASSWORD)) == PRODUCTION_PARAMETERS
