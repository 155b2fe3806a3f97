"""Dashboard speed: Browse reruns under AppTest (52 and 5,000 models) and cold start in headless Chromium.

Run: python bench/bench_dashboard.py [--repeat N] [--cold N]
Every figure is a median measured in this one run, beside its reference measured the same way:
an empty one-line Streamlit page rerun under AppTest, and a one-line page cold-started and shown in Chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from conftest import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402
from dashboard_catalog import generated_page  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

ONE_LINE_PAGE = 'import streamlit as st\nst.write("Hello")\n'
#: A second reference: the least a page showing any `st.dataframe` costs (pandas, Arrow, the grid's JavaScript).
ONE_TABLE_PAGE = 'import pandas as pd\nimport streamlit as st\nst.dataframe(pd.DataFrame({"a": [1, 2]}))\n'
#: A third: Browse's table of the 52 models and nothing else, so the rest of the dashboard's cost shows apart.
CATALOG_TABLE_PAGE = f"""\
import sys

import streamlit as st

sys.path.insert(0, {str(ROOT)!r})
import catalog
from catalog.dashboard.tables import models_frame

st.set_page_config(layout="wide")
st.dataframe(models_frame(catalog.load_catalog().models, 0.25), hide_index=True)
"""


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def empty_page_rerun(repeat: int, workdir: Path) -> list[float]:
    script = workdir / "one_line.py"
    script.write_text(ONE_LINE_PAGE)
    at = AppTest.from_file(str(script), default_timeout=60)
    at.run()
    return timed(at.run, repeat)


def browse_filter_rerun(repeat: int, sources: str | None) -> tuple[list[float], int]:
    """Browse reruns, each after a change of the search filter (alternating two values)."""
    if sources:
        os.environ["CATALOG_SOURCES"] = sources
    else:
        os.environ.pop("CATALOG_SOURCES", None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    rows = len(at.dataframe[0].value)
    search = at.text_input(key="f_q")
    values = iter(["instruct", ""] * repeat)
    at.text_input(key="f_q").set_value(next(values)).run()  # warm the caches once

    def change_filter() -> None:
        at.text_input(key="f_q").set_value(next(values)).run()

    samples = timed(change_filter, repeat)
    assert not at.exception, at.exception
    del search
    return samples, rows


def cold_start(app: Path, selector: str, browser: object) -> float:
    """Seconds from `streamlit run` to `selector` visible in a fresh Chromium tab."""
    start = time.perf_counter()
    with run_streamlit(app=app) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        tab = context.new_page()
        tab.goto(url)
        tab.wait_for_selector(selector, state="visible", timeout=60_000)
        elapsed = time.perf_counter() - start
        context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="reruns per AppTest case")
    parser.add_argument("--cold", type=int, default=3, help="cold starts per app")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        big = workdir / "generated-5000.md"
        # Titled DeepInfra, so it stands in for the embedded page: exactly 5,000 models.
        big.write_text(generated_page(5000), encoding="utf-8")

        empty = median_ms(empty_page_rerun(args.repeat, workdir))
        small_samples, small_rows = browse_filter_rerun(args.repeat, None)
        big_samples, big_rows = browse_filter_rerun(args.repeat, str(big))
        small, large = median_ms(small_samples), median_ms(big_samples)

        from playwright.sync_api import sync_playwright

        one_line = workdir / "one_line_app.py"
        one_line.write_text(ONE_LINE_PAGE)
        one_table = workdir / "one_table_app.py"
        one_table.write_text(ONE_TABLE_PAGE)
        catalog_table = workdir / "catalog_table_app.py"
        catalog_table.write_text(CATALOG_TABLE_PAGE)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            dashboard_runs, reference_runs, table_runs, catalog_runs = [], [], [], []
            for _ in range(args.cold):  # interleaved, so drift on the machine hits all alike
                reference_runs.append(cold_start(one_line, '[data-testid="stMarkdown"]', browser))
                table_runs.append(cold_start(one_table, '[data-testid="stDataFrame"]', browser))
                catalog_runs.append(cold_start(catalog_table, '[data-testid="stDataFrame"]', browser))
                dashboard_runs.append(cold_start(ROOT / "app.py", '[data-testid="stDataFrame"]', browser))
            browser.close()
        dashboard, reference, table = median_ms(dashboard_runs), median_ms(reference_runs), median_ms(table_runs)
        table_alone = median_ms(catalog_runs)

    print(f"Browse rerun after a filter change, AppTest, median of {args.repeat}:")
    print(f"  {'case':<34} {'median ms':>10} {'× empty page':>13} {'target':>10}")
    print(f"  {'empty one-line page (reference)':<34} {empty:>10.1f} {1.0:>13.1f} {'':>10}")
    print(f"  {f'Browse, {small_rows} models':<34} {small:>10.1f} {small / empty:>13.1f} {'< 50 ms':>10}")
    print(f"  {f'Browse, {big_rows} models':<34} {large:>10.1f} {large / empty:>13.1f} {'< 300 ms':>10}")
    print(f"Cold start to first content in headless Chromium, median of {args.cold}:")
    print(f"  {'case':<34} {'median ms':>10} {'× one-line':>13} {'target':>10}")
    print(f"  {'one-line page (reference)':<34} {reference:>10.0f} {1.0:>13.2f}")
    print(f"  {'one-table page (st.dataframe)':<34} {table:>10.0f} {table / reference:>13.2f}")
    print(f"  {'the 52-model table alone':<34} {table_alone:>10.0f} {table_alone / reference:>13.2f}")
    print(f"  {'dashboard, table visible':<34} {dashboard:>10.0f} {dashboard / reference:>13.2f} {'≤ 1.5×':>10}")


if __name__ == "__main__":
    main()
