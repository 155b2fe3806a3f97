"""Price ranges come out the same whatever order the snapshots are imported in (hypothesis), on a real store."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storedb import db_url, pg_url, sqlite_url  # noqa: F401  (fixtures)

from catalog.history import PriceRange, Store
from catalog.history.ranges import changes_from_ranges

MODELS = ("m/a", "m/b", "m/c")
PRICES = (0.1, 0.2, 0.3)
START = dt.date(2026, 1, 1)
_counter = itertools.count()

# A page is which models it lists at which input price (output = 2 × input); a history is pages on distinct days.
pages = st.dictionaries(st.sampled_from(MODELS), st.sampled_from(PRICES), min_size=1)
histories = st.lists(st.tuples(st.integers(0, 40), pages), min_size=1, max_size=7, unique_by=lambda item: item[0])


def page_text(prices: dict[str, float], provider: str = "Prop") -> str:
    rows = "\n".join(f"| {model} | \\${price:.2f} | \\${2 * price:.2f} |" for model, price in sorted(prices.items()))
    return f"# {provider}\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n{rows}\n"


def expected_ranges(history: list[tuple[int, dict[str, float]]]) -> list[PriceRange]:
    """Ranges computed the plain way: walk the pages in date order and cut a range wherever a price changes."""
    ordered = sorted(history)
    found: list[PriceRange] = []
    for model in MODELS:
        start: tuple[dt.date, float] | None = None
        for offset, prices in ordered:
            day, price = START + dt.timedelta(days=offset), prices.get(model)
            if start is not None and price != start[1]:
                found.append(PriceRange("Prop", model, start[1], 2 * start[1], start[0], day))
                start = None
            if start is None and price is not None:
                start = (day, price)
        if start is not None:
            found.append(PriceRange("Prop", model, start[1], 2 * start[1], start[0], None))
    return sorted(found, key=lambda item: (item.model, item.from_date))


def record_all(url: str, history: list[tuple[int, dict[str, float]]]) -> Store:
    store = Store(url)
    for offset, prices in history:
        store.record(page_text(prices), "prop.md", START + dt.timedelta(days=offset))
    return store


def normalised(ranges: list[PriceRange]) -> list[PriceRange]:
    return [
        PriceRange(r.provider, r.model, round(r.input_usd_per_mtok, 6), round(r.output_usd_per_mtok, 6),
                   r.from_date, r.to_date)
        for r in sorted(ranges, key=lambda item: (item.model, item.from_date))
    ]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, order=st.randoms(use_true_random=False))
def test_any_import_order_gives_the_ranges_of_the_in_order_walk(tmp_path: Path, history, order):
    shuffled = list(history)
    order.shuffle(shuffled)
    folder = tmp_path / f"db{next(_counter)}"
    folder.mkdir()
    with record_all(sqlite_url(folder), shuffled) as store:
        assert normalised(store.all_ranges()) == normalised(expected_ranges(history))
        first = min(START + dt.timedelta(days=offset) for offset, _ in history)
        assert store.changes() == changes_from_ranges(store.all_ranges(), {"Prop": first})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, order=st.randoms(use_true_random=False))
def test_any_import_order_gives_the_same_ranges_on_postgresql(pg_url, history, order):  # noqa: F811
    shuffled = list(history)
    order.shuffle(shuffled)
    with Store(pg_url) as store:
        with store.engine.begin() as connection:  # hypothesis reuses the database between examples
            connection.exec_driver_sql("TRUNCATE sightings, snapshots, price_ranges")
        for offset, prices in shuffled:
            store.record(page_text(prices), "prop.md", START + dt.timedelta(days=offset))
        assert normalised(store.all_ranges()) == normalised(expected_ranges(history))


def test_the_same_page_again_stores_nothing_new_but_a_page_going_back_to_old_prices_is_a_change(tmp_path):
    with Store(sqlite_url(tmp_path)) as store:
        a, b = page_text({"m/a": 0.1}), page_text({"m/a": 0.2})
        assert store.record(a, "p.md", dt.date(2026, 1, 1)).outcome == "new"
        assert store.record(a, "p.md", dt.date(2026, 1, 2)).outcome == "unchanged"
        assert store.record(b, "p.md", dt.date(2026, 1, 3)).outcome == "new"
        back = store.record(a, "p.md", dt.date(2026, 1, 4))
        assert back.outcome == "new"
        assert [(c.change, c.old_input, c.new_input) for c in back.changes] == [("price", 0.2, 0.1)]
        assert len(store.snapshots()) == 2  # each distinct text is stored once
        assert store.newest_date() == dt.date(2026, 1, 4)
        assert [(r.from_date.day, r.to_date and r.to_date.day) for r in store.history("m/a")] == [
            (1, 3),
            (3, 4),
            (4, None),
        ]


def test_writers_at_once_all_land(db_url):  # noqa: F811
    """Several processes' worth of writers (threads with their own engines) recording into one database at once."""
    errors: list[BaseException] = []

    def write(provider: str) -> None:
        try:
            with Store(db_url) as store:
                for day in range(12):
                    prices = {"m/a": round(0.1 + 0.01 * (day % 3), 2), "m/b": 0.2}
                    store.record(page_text(prices, provider), f"{provider}.md", START + dt.timedelta(days=day))
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    Store(db_url).close()  # create the schema once, as the first process would
    threads = [threading.Thread(target=write, args=(f"P{index}",)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(db_url) as store:
        for index in range(4):
            assert len(store.history("m/a", f"P{index}")) == 12 and len(store.history("m/b", f"P{index}")) == 1
