"""Access groups declared by folders: a `.kgqa-groups` file sets the groups of what is below it.

A folder ingest must not publish a subfolder meant to be restricted just because the command
gave no `--groups`. So a folder may carry a `.kgqa-groups` file (one group per line, `#`
starts a comment, blank lines ignored); every document in that folder or below it gets
exactly those groups, whatever `--groups` says. The nearest such file up the document's
folders wins, so a subfolder can narrow (or, with a file listing no group, open) its parent's.
Documents no such file covers get the caller's groups. A groups file that cannot be read makes
the documents under it errors, never public. Uploads through the API or the app are not read
from a folder of the user's: they get exactly the groups their request declares, whatever
groups file sits above the server's upload folder.
"""

from __future__ import annotations

from pathlib import Path

from kg.models import normalise_groups

GROUPS_FILE = ".kgqa-groups"


class GroupsFileError(ValueError):
    """A `.kgqa-groups` file that cannot be read; the documents it covers are not ingested."""


def parse_groups_file(text: str) -> list[str]:
    """The groups a `.kgqa-groups` file lists: one a line, `#` comments, blanks skipped."""
    return normalise_groups(line.split("#", 1)[0] for line in text.splitlines())


class FolderGroups:
    """Resolves a document's groups from the nearest `.kgqa-groups`; one read per folder."""

    def __init__(self, default: list[str], read_files: bool = True) -> None:
        self.default = default
        self.read_files = read_files  # False: every document gets `default` (API uploads)
        self._by_folder: dict[Path, tuple[list[str], Path | None]] = {}

    def for_file(self, path: Path) -> tuple[list[str], Path | None]:
        """(groups, the groups file that set them or None for the default); may raise
        GroupsFileError."""
        if not self.read_files:
            return self.default, None
        return self._for_folder(path.expanduser().resolve().parent)

    def _for_folder(self, folder: Path) -> tuple[list[str], Path | None]:
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached
        marker = folder / GROUPS_FILE
        if marker.is_file():
            try:
                found = (parse_groups_file(marker.read_text(encoding="utf-8")), marker)
            except (OSError, UnicodeDecodeError) as exc:
                raise GroupsFileError(f"cannot read {marker}: {exc}") from exc
        elif folder.parent == folder:
            found = (self.default, None)
        else:
            found = self._for_folder(folder.parent)
        self._by_folder[folder] = found
        return found
