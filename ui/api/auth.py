"""API keys: each maps to a caller's access groups and a role (reader or admin).

Keys come from a JSON or TOML file (Settings.api_keys_file) and/or a JSON string
(Settings.api_keys, env KGQA_API_KEYS), both shaped like
``{"keys": [{"key": "...", "name": "alice", "groups": ["hr"], "role": "admin"}]}``.
A caller without a key gets Settings.api_public_role ("off" refuses them).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from kg.models import ADMIN, normalise_groups
from kg.settings import Settings
from ui.api.errors import Forbidden, Unauthorized

Role = Literal["reader", "admin"]


class KeyEntry(BaseModel):
    key: str = Field(min_length=8)
    name: str = ""
    groups: list[str] = []
    role: Role = "reader"


class KeyFile(BaseModel):
    keys: list[KeyEntry] = []


@dataclass(frozen=True)
class Principal:
    """Who is calling: what they may read (groups) and whether they may change things."""

    name: str
    role: Role
    groups: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def require_admin(self, action: str) -> None:
        if not self.is_admin:
            raise Forbidden(f"{action} needs an admin API key")


def _digest(key: str) -> str:
    # Keys are looked up by hash so a timing difference reveals nothing about a key's prefix.
    return hashlib.sha256(key.encode()).hexdigest()


def _parse(text: str, source: str, toml: bool) -> list[KeyEntry]:
    try:
        data = tomllib.loads(text) if toml else json.loads(text)
        return KeyFile.model_validate(data).keys
    except (ValueError, ValidationError) as exc:
        raise ValueError(f"bad API key configuration in {source}: {exc}") from exc


class KeyRing:
    """Resolves a presented key (or none) to a Principal."""

    def __init__(self, entries: list[KeyEntry], public_role: str = "reader") -> None:
        self._by_digest: dict[str, Principal] = {}
        for i, entry in enumerate(entries):
            name = entry.name or f"key{i + 1}"
            principal = Principal(name, entry.role, tuple(normalise_groups(entry.groups)))
            self._by_digest[_digest(entry.key)] = principal
        self.public_role = public_role

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        entries: list[KeyEntry] = []
        if settings.api_keys_file:
            path = Path(settings.api_keys_file)
            toml = path.suffix.lower() == ".toml"
            entries += _parse(path.read_text(encoding="utf-8"), str(path), toml)
        if settings.api_keys.strip():
            entries += _parse(settings.api_keys, "KGQA_API_KEYS", toml=False)
        return cls(entries, settings.api_public_role)

    def resolve(self, key: str | None) -> Principal:
        """The caller for `key`; an unknown key is refused rather than treated as public."""
        key = (key or "").strip()
        if key:
            principal = self._by_digest.get(_digest(key))
            if principal is None:
                raise Unauthorized("unknown API key")
            return principal
        if self.public_role == "off":
            raise Unauthorized("an API key is required (X-API-Key or Authorization: Bearer)")
        if self.public_role == "admin":  # single-user local mode: sees and changes everything
            return Principal("public", "admin", (ADMIN,))
        return Principal("public", "reader")
