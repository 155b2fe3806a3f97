"""Price history speed: a synthetic year in the store, on SQLite and PostgreSQL side by side in one run.

Run: python bench/bench_history.py [--days 365] [--providers 30] [--models 50] [--repeat 30]
PostgreSQL comes from CATALOG_TEST_PG_URL (a fresh database is made on that server and dropped after); without
it only SQLite runs. The year is 365 daily snapshots of 30 providers × 50 models, about 1% of prices moving each
day. All but the last 30 days are seeded in bulk (snapshots, sightings and ranges computed in Python and
inserted with executemany, so the run takes minutes, not an hour); the last 30 days go through
`Store.record`, one transaction per page, exactly as `refresh` does, and that is the import time reported.
Every figure is a median of --repeat runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import sqlalchemy as sa  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from catalog.history import Store  # noqa: E402
from catalog.history.schema import price_ranges, sightings, snapshots  # noqa: E402
from catalog.history.store import digest  # noqa: E402

START = dt.date(2025, 11, 26)
RECORDED_DAYS = 30


def page_text(provider: int, prices: list[tuple[float, float]]) -> str:
    rows = "\n".join(
        f"| prov{provider}/model-{index}-{7 + index}b | \\${price_in:.4f} | \\${price_out:.4f} |"
        for index, (price_in, price_out) in enumerate(prices)
    )
    header = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |"
    return f"# Provider {provider}\n\nProvider {provider} offers {len(prices)} models.\n\n{header}\n{rows}\n"


def synthetic_year(days: int, providers: int, models: int, seed: int = 9) -> list[list[list[tuple[float, float]]]]:
    """prices[day][provider][model]: about 1% of all prices move each day, by -20% to +25%."""
    rng = random.Random(seed)
    today = [[(round(rng.uniform(0.01, 5), 4),) * 2 for _ in range(models)] for _ in range(providers)]
    today = [[(price, round(price * rng.uniform(1, 5), 4)) for price, _ in row] for row in today]
    year = []
    moves = max(1, round(providers * models / 100))
    for _ in range(days):
        year.append([list(row) for row in today])
        for _ in range(moves):
            p, m = rng.randrange(providers), rng.randrange(models)
            factor = rng.uniform(0.8, 1.25)
            price_in, price_out = today[p][m]
            today[p][m] = (round(price_in * factor, 4), round(price_out * factor, 4))
    return year


def bulk_seed(store: Store, year: list[list[list[tuple[float, float]]]], days: int) -> None:
    """The first `days` days as `record` would leave them, inserted in bulk."""
    snapshot_rows, sighting_rows, range_rows = [], [], []
    ids = 0
    for provider in range(len(year[0])):
        name = f"Provider {provider}"
        previous_text = None
        snapshot_id = 0
        for day in range(days):
            text = page_text(provider, year[day][provider])
            when = START + dt.timedelta(days=day)
            if text != previous_text:
                ids += 1
                snapshot_id = ids
                snapshot_rows.append({"id": ids, "provider": name, "source": "bench", "seen_date": when,
                                      "sha256": digest(text), "text": text, "recorded_at": None})  # fmt: skip
                previous_text = text
            sighting_rows.append({"provider": name, "seen_date": when, "snapshot_id": snapshot_id})
        for model in range(len(year[0][provider])):
            model_id = f"prov{provider}/model-{model}-{7 + model}b"
            start, value = 0, year[0][provider][model]
            for day in range(1, days + 1):
                current = year[day][provider][model] if day < days else None
                if current != value:
                    range_rows.append({
                        "provider": name, "model": model_id, "input_usd_per_mtok": value[0],
                        "output_usd_per_mtok": value[1], "from_date": START + dt.timedelta(days=start),
                        "to_date": None if day == days else START + dt.timedelta(days=day),
                    })  # fmt: skip
                    start, value = day, current
    with store.engine.begin() as connection:
        connection.execute(snapshots.insert(), snapshot_rows)
        connection.execute(sightings.insert(), sighting_rows)
        connection.execute(price_ranges.insert(), range_rows)
        if store.dialect == "postgresql":  # explicit ids: move the sequence past them
            connection.exec_driver_sql(f"SELECT setval('snapshots_id_seq', {ids})")


def median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return 1000 * statistics.median(samples)


def database_size(store: Store) -> int:
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0)
    path = Path(store.engine.url.database or "")
    with sqlite3.connect(path) as raw:  # fold the write-ahead log into the file first
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def changes_page_rerun(url: str, repeat: int) -> float:
    os.environ["CATALOG_DB_URL"] = url
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/changes.py").run()
    assert not at.exception, at.exception
    at.run()  # warm the page's caches, as a visitor's second look would
    return median_ms(at.run, repeat)


def measure(url: str, year: list[list[list[tuple[float, float]]]], repeat: int) -> dict[str, float]:
    days = len(year)
    seeded = days - RECORDED_DAYS
    results: dict[str, float] = {}
    with Store(url) as store:
        start = time.perf_counter()
        bulk_seed(store, year, seeded)
        results["bulk seed of the first days, s"] = time.perf_counter() - start
        per_page = []
        start = time.perf_counter()
        for day in range(seeded, days):
            for provider in range(len(year[0])):
                text = page_text(provider, year[day][provider])
                began = time.perf_counter()
                store.record(text, "bench", START + dt.timedelta(days=day))
                per_page.append(time.perf_counter() - began)
        results[f"record() of the last {RECORDED_DAYS} days, s"] = time.perf_counter() - start
        results["record() per page, median ms"] = 1000 * statistics.median(per_page)
        last = START + dt.timedelta(days=days - 1)
        results["year, projected at that rate, s"] = statistics.mean(per_page) * days * len(year[0])
        results["database size, MB"] = database_size(store) / 1e6
        same = page_text(0, year[-1][0])
        results["refresh of an unchanged page, ms"] = median_ms(lambda: store.record(same, "bench", last), repeat)
        model = "prov3/model-7-14b"
        results["history of one model, ms"] = median_ms(lambda: store.history(model), repeat)
        since = last - dt.timedelta(days=30)
        results["changes over 30 days, ms"] = median_ms(lambda: store.changes(since), repeat)
        results["(changes found in 30 days)"] = len(store.changes(since))
    results["Changes page rerun (AppTest), ms"] = changes_page_rerun(url, repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--providers", type=int, default=30)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    year = synthetic_year(args.days, args.providers, args.models)
    columns: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        columns["SQLite"] = measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", year, args.repeat)
    admin = os.environ.get("CATALOG_TEST_PG_URL", "").strip()
    if admin:
        name = f"catalog_bench_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = sa.make_url(admin).set(database=name).render_as_string(hide_password=False)
            columns["PostgreSQL"] = measure(url, year, args.repeat)
        finally:
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            engine.dispose()
    else:
        print("CATALOG_TEST_PG_URL is not set: PostgreSQL skipped", file=sys.stderr)
    names = list(columns)
    out = io.StringIO()
    print(f"{args.days} days × {args.providers} providers × {args.models} models, median of {args.repeat}", file=out)
    print(f"{'':42}" + "".join(f"{name:>12}" for name in names), file=out)
    for key in columns[names[0]]:
        print(f"{key:42}" + "".join(f"{columns[name][key]:>12.2f}" for name in names), file=out)
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
