"""What holding a request in the spend ledger costs: one Playground-sized request to the loopback fake gateway,
sent bare and sent inside `Spender.hold` (reserve + settle), alternating, on SQLite and PostgreSQL (when
CATALOG_TEST_PG_URL names a server). Prints medians and the ratio of each pair, measured side by side.

    python bench/bench_spend.py [--runs 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import sqlalchemy as sa  # noqa: E402
from fake_gateway import running_fake  # noqa: E402

from catalog.gateway.client import GatewayClient  # noqa: E402
from catalog.gateway.config import resolve_config  # noqa: E402
from catalog.gateway.messages import ChatParams, Message  # noqa: E402
from catalog.gateway.targets import chat_request  # noqa: E402
from catalog.history import Store  # noqa: E402
from catalog.sources import load_catalog  # noqa: E402
from catalog.spend import Caps, Spender, SpendLedger, worst_case_usd  # noqa: E402

TOKEN = "bench-spend-token"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"


def _send(client: GatewayClient, request: object) -> float | None:
    with client.stream(request) as reply:  # type: ignore[arg-type]
        for _ in reply:
            pass
        return reply.result.cost_usd


def _bench(url: str, fake_url: str, runs: int) -> tuple[float, float]:
    catalog = load_catalog()
    record = catalog.find(MODEL)
    assert record is not None
    request = chat_request(catalog, record, (Message("user", "How much? !fake:chunks=20"),), ChatParams(max_tokens=256))
    worst = worst_case_usd(record, ["How much? !fake:chunks=20"], 256)
    bare, held = [], []
    with (
        Store(url) as store,
        GatewayClient(resolve_config({"LAVA_BASE_URL": fake_url, "LAVA_FORWARD_TOKEN": TOKEN})) as client,
    ):
        spender = Spender(SpendLedger(store, Caps(1e6, 1e6, 1e6)), uuid.uuid4().hex, "public")
        for _ in range(5):
            _send(client, request)
        for _ in range(runs):
            started = time.perf_counter()
            _send(client, request)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            with spender.hold(worst) as hold:
                hold.spent(_send(client, request))
            held.append(time.perf_counter() - started)
    return statistics.median(bare), statistics.median(held)


def _pg_database(admin: str) -> str:
    name = f"bench_spend_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(admin).set(database=name).render_as_string(hide_password=False)


def _drop(admin: str, url: str) -> None:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    backends = {"SQLite": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"}
    if os.environ.get("CATALOG_TEST_PG_URL"):
        backends["PostgreSQL"] = _pg_database(os.environ["CATALOG_TEST_PG_URL"])
    print(f"median of {args.runs} paired requests each, Python {sys.version.split()[0]}")
    print(f"{'store':<12}{'bare':>12}{'held':>12}{'ratio':>8}{'ledger':>12}")
    with running_fake(forward_tokens={TOKEN}) as fake:
        for name, url in backends.items():
            bare, held = _bench(url, fake.url, args.runs)
            cells = f"{bare * 1000:>10.2f} ms{held * 1000:>9.2f} ms{held / bare:>7.2f}×{(held - bare) * 1000:>9.2f} ms"
            print(f"{name:<12}{cells}")
    if "PostgreSQL" in backends:
        _drop(os.environ["CATALOG_TEST_PG_URL"], backends["PostgreSQL"])


if __name__ == "__main__":
    main()
