"""Load benchmark: concurrent clients on a real `kgqa serve` over loopback.

Starts `kgqa serve` as its own process (so the clients do not share its interpreter) over a
store (--store, or samples/ ingested into a scratch folder: public files public,
samples/restricted for `board`), then runs --clients clients for --seconds, each sending
/api/ask (a share --ask) or /api/stats one after the other. Prints errors, requests/s and
p50/p95 per endpoint, then one JSON line.

    flock /work/heavy.lock .venv/bin/python bench/load.py --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Who founded Brightwater Labs?",
    "Who is the mother of Orin Vale?",
    "Who did Tomas Vale marry?",
    "Where is Brightwater Labs located?",
    "Who founded Tessaly Optics?",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def build_samples(store: Path, env: dict[str, str]) -> None:
    samples = REPO / "samples"
    public = sorted(str(p) for p in samples.iterdir() if p.is_file() and p.name != "README.md")
    _cli("ingest", *public, "--store", str(store), env=env)
    _cli("ingest", str(samples / "restricted"), "--groups", "board", "--store", str(store),
         env=env)


def start_server(store: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--store", str(store), "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kgqa serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                # the first answer loads the models; not part of the measurement
                httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": QUESTIONS[0]},
                           timeout=300)
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("kgqa serve did not come up")


async def client(http: httpx.AsyncClient, until: float, ask_share: float, seed: int,
                 record: list[tuple[str, int, float]]) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        if rng.random() < ask_share:
            name, call = "ask", http.post("/api/ask", json={"question": rng.choice(QUESTIONS)})
        else:
            name, call = "stats", http.get("/api/stats")
        start = time.monotonic()
        try:
            status = (await call).status_code
        except httpx.HTTPError:
            status = 0  # transport failure
        record.append((name, status, time.monotonic() - start))


async def run_load(url: str, clients: int, seconds: float, ask_share: float
                   ) -> list[tuple[str, int, float]]:
    record: list[tuple[str, int, float]] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(client(http, until, ask_share, i, record) for i in range(clients)))
    return record


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarise(record: list[tuple[str, int, float]], seconds: float, clients: int
              ) -> dict[str, object]:
    errors = [status for _, status, _ in record if status != 200]
    out: dict[str, object] = {
        "clients": clients,
        "seconds": seconds,
        "requests": len(record),
        "errors": len(errors),
        "error_statuses": dict(Counter(errors)),
        "requests_per_s": round(len(record) / seconds, 1),
        "load_average": os.getloadavg(),
    }
    for name in ("ask", "stats"):
        times = [t for n, status, t in record if n == name and status == 200]
        out[name] = {
            "requests": sum(1 for n, _, _ in record if n == name),
            "p50_s": round(percentile(times, 0.50), 3),
            "p95_s": round(percentile(times, 0.95), 3),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an ingested store (default: samples/)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ask", type=float, default=0.5, help="share of /api/ask requests")
    args = parser.parse_args()
    env = {**os.environ, "KGQA_API_PUBLIC_ROLE": "reader"}
    with tempfile.TemporaryDirectory(prefix="kgqa-load-") as scratch:
        store = args.store
        if store is None:
            store = Path(scratch) / "store"
            print("ingesting samples/ ...", file=sys.stderr)
            build_samples(store, env)
        port = _free_port()
        server = start_server(store, port, env)
        try:
            print(f"{args.clients} clients for {args.seconds:g} s ...", file=sys.stderr)
            record = asyncio.run(
                run_load(f"http://127.0.0.1:{port}", args.clients, args.seconds, args.ask)
            )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    result = summarise(record, args.seconds, args.clients)
    print(f"errors: {result['errors']} {result['error_statuses']}")
    print(f"requests: {result['requests']} in {args.seconds:g} s = "
          f"{result['requests_per_s']} requests/s")
    for name in ("ask", "stats"):
        part = result[name]
        assert isinstance(part, dict)
        print(f"{name}: {part['requests']} requests, p50 {part['p50_s']} s, p95 {part['p95_s']} s")
    print(f"load average: {result['load_average']}")
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
