"""API keys from a file or env var map to groups and a role; no key means the public role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.models import ADMIN
from kg.settings import Settings
from ui.api.auth import KeyRing
from ui.api.errors import Forbidden, Unauthorized


def test_keys_from_toml_file_and_env(tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(
        '[[keys]]\nkey = "admin-key-123"\nname = "ops"\ngroups = ["board"]\nrole = "admin"\n'
    )
    env = json.dumps({"keys": [{"key": "reader-key-1", "groups": ["hr", " hr", ""]}]})
    ring = KeyRing.from_settings(Settings(api_keys_file=keys, api_keys=env))
    admin = ring.resolve("admin-key-123")
    assert (admin.name, admin.role, admin.groups) == ("ops", "admin", ("board",))
    reader = ring.resolve("reader-key-1")
    assert (reader.role, reader.groups) == ("reader", ("hr",))
    with pytest.raises(Forbidden):
        reader.require_admin("training")
    admin.require_admin("training")


def test_unknown_key_is_refused_not_public() -> None:
    ring = KeyRing.from_settings(Settings(api_keys='{"keys": [{"key": "abcdefgh"}]}'))
    with pytest.raises(Unauthorized, match="unknown"):
        ring.resolve("abcdefgx")


@pytest.mark.parametrize(
    ("public_role", "expected"),
    [("reader", ("reader", ())), ("admin", ("admin", (ADMIN,))), ("off", None)],
)
def test_public_role(public_role: str, expected: tuple[str, tuple[str, ...]] | None) -> None:
    ring = KeyRing.from_settings(Settings(api_public_role=public_role))
    if expected is None:
        with pytest.raises(Unauthorized, match="required"):
            ring.resolve(None)
    else:
        principal = ring.resolve("")
        assert (principal.role, principal.groups) == expected


def test_bad_key_file_says_where(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": [{"key": "short"}]}')
    with pytest.raises(ValueError, match="keys.json"):
        KeyRing.from_settings(Settings(api_keys_file=keys))
