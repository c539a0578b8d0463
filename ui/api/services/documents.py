"""Uploading, listing and deleting documents. Uploads are kept under the UI's data folder
(the document id is that file's path), so re-uploading a name replaces that document. An
upload gets exactly the groups its request declares: no `.kgqa-groups` file above that
folder applies to it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kg.ingest.readers import document_id
from kg.models import ADMIN
from ui.api.auth import Principal
from ui.api.errors import BadRequest, NotFound
from ui.api.jsonable import to_jsonable
from ui.api.services.runtime import Runtime

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(name: str) -> str:
    """A plain file name from what a browser sent (no folders, no odd characters)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if not cleaned or not Path(cleaned).suffix:
        raise BadRequest(f"unusable file name {name!r}: give a name with an extension")
    return cleaned[:200]


def _file_statuses(report: dict[str, Any]) -> dict[str, str]:
    return {str(f["path"]): str(f["status"]) for f in report.get("files", [])}


class DocumentService:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self._drop_unlisted_uploads()

    def _drop_unlisted_uploads(self) -> None:
        """Every file is saved before an upload is ingested, and a failed upload removes
        its new files again; files still there that the store lacks are what an upload
        killed mid-ingest left (kill -9 of `kgqa serve`), which nothing lists or deletes."""
        folder = self.rt.data_dir / "uploads"
        if not folder.is_dir():
            return
        known = {d.id for d in self.rt.store.list_documents([ADMIN])}
        for path in folder.iterdir():
            if path.is_file() and document_id(path) not in known:
                path.unlink()

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        return [to_jsonable(d) for d in self.rt.store.list_documents(list(principal.groups))]

    def upload(
        self,
        principal: Principal,
        files: list[tuple[str, bytes]],
        groups: list[str],
        progress: bool = False,
    ) -> dict[str, Any]:
        """Save and ingest the files; a file that fails keeps its previous version."""
        principal.require_admin("uploading documents")
        if not files:
            raise BadRequest("no files were sent")
        names = [safe_name(name) for name, _ in files]
        if len(set(names)) != len(names):
            raise BadRequest("two uploaded files have the same name")
        folder = self.rt.folder("uploads")
        with self.rt.write_lock:
            previous: dict[Path, bytes | None] = {}
            paths: list[Path] = []
            for name, (_, content) in zip(names, files, strict=True):
                path = folder / name
                previous[path] = path.read_bytes() if path.exists() else None
                path.write_bytes(content)
                paths.append(path)
            try:
                report = self.rt.ingestor.run(
                    [str(p) for p in paths], groups, progress=progress, groups_files=False
                )
            except Exception:
                self._restore(previous, failed=set(previous))
                raise
            data = to_jsonable(report.to_dict())
            statuses = _file_statuses(data)
            self._restore(previous, {p for p in paths if statuses.get(str(p)) == "error"})
        return data

    @staticmethod
    def _restore(previous: dict[Path, bytes | None], failed: set[Path]) -> None:
        for path in failed:
            old = previous[path]
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)

    def delete(self, principal: Principal, doc_id: str) -> dict[str, Any]:
        principal.require_admin("deleting documents")
        groups = list(principal.groups)
        with self.rt.write_lock:
            if self.rt.store.get_document(doc_id, groups) is None:
                raise NotFound(f"no visible document {doc_id!r}")
            deleted = self.rt.store.delete_document(doc_id)
            uploads = self.rt.folder("uploads")
            path = Path(doc_id)
            if deleted and path.parent == uploads and path.is_file():
                path.unlink()
        return {"deleted": doc_id if deleted else None}
