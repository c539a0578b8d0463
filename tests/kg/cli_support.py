"""Run the real `kgqa` CLI in a subprocess against one store (shared by the CLI tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kgqa(*args: str, store: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args, "--store", str(store)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
