"""Reversal-curse benchmark: the same run as `kgqa eval reversal` (flags are passed on).

    python bench/reversal.py [--facts PATH] [--limit N] [--epochs N] [--out results.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["eval", "reversal", *sys.argv[1:]]))
