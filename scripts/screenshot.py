"""Screenshot of the app for the README: ingest samples/ into a scratch store, serve the app on
a free loopback port, ask a question in headless Chromium and save the page as a PNG.

    python scripts/screenshot.py [--out docs/screenshot.png] [--question "..."]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.embed import Embedder  # noqa: E402
from kg.ingest.pipeline import Ingestor  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from ui.app.headless import ask_in_browser, chromium, missing_browser  # noqa: E402
from ui.app.server import create_server_app, serving  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshot.png"))
    parser.add_argument("--question", default="Who founded Brightwater Labs?")
    args = parser.parse_args()
    reason = missing_browser()
    if reason:
        print(f"screenshot: {reason}", file=sys.stderr)
        return 1
    samples = REPO / "samples"
    with tempfile.TemporaryDirectory(prefix="kgqa-shot-") as scratch:
        settings = Settings(store=Path(scratch) / "store")
        with open_store(settings) as store:
            embedder = Embedder(settings)
            ingestor = Ingestor(settings, store, embedder=embedder)
            public = sorted(p for p in samples.iterdir() if p.is_file() and p.name != "README.md")
            print(ingestor.run([str(p) for p in public], [], progress=True).summary())
            app = create_server_app(
                settings, store, data_dir=Path(scratch) / "ui", embedder=embedder
            )
            with serving(app) as url:
                driver = chromium(Path(scratch) / "profile")
                try:
                    seen = ask_in_browser(driver, url, args.question)
                    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(args.out)
                finally:
                    driver.quit()
    print(f"answer on the page: {seen['answer']!r}; screenshot: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
