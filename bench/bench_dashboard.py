"""Dashboard speed: Browse reruns under AppTest (52 and 5,000 models), and first content of every page in
headless Chromium, cold (a fresh `streamlit run` per visit) and warm (a running server, a fresh tab).

Run: python bench/bench_dashboard.py [--repeat N] [--cold N] [--warm N] [--pages-only]
Every figure is a median measured in this one run, beside its reference measured the same way:
an empty one-line Streamlit page rerun under AppTest, and a one-line page shown in Chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
#: A third: Browse's HTML table of the 52 models and nothing else, so the rest of the dashboard's cost shows apart.
CATALOG_TABLE_PAGE = f"""\
import sys

import streamlit as st

sys.path.insert(0, {str(ROOT)!r})
import catalog
from catalog.dashboard.html_table import html_table
from catalog.dashboard.tables import browse_table
from catalog.dashboard.view import DashboardView

st.set_page_config(layout="wide")
columns, rows = browse_table(catalog.load_catalog().models, DashboardView())
st.html(html_table(columns, rows, label="Models"))
"""


DATAFRAME = '[data-testid="stDataFrame"]'
PLOTLY_READY = ".js-plotly-plot .main-svg"


def html_table(label: str) -> str:
    """The selector of one of the dashboard's HTML tables (`catalog.dashboard.html_table`), by its label."""
    return f'[data-testid="stHtml"] table[aria-label="{label}"]'


#: Each dashboard page, the link it is opened with, and what shows that its first content is on screen: the
#: page's main table, the Charts page's ranked bars, the Playground's model (its name and prices), the Model
#: page's prices.
#: The dashboard runs on a price history with a second provider (see `seed_history`), so Providers has models on
#: two hosts and Changes has changes to list.
PAGE_CASES = (
    ("Browse", "/", html_table("Models")),
    ("Charts", "/charts", '[data-testid="stHtml"] .lpc-bars'),
    ("Compare", "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528", html_table("Workload costs")),
    # Compare's answer (the workload, the cheapest model and its monthly cost), the line above its form.
    ("Compare answer", "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528", "p.lpc-summary"),
    ("Providers", "/providers", html_table("Providers")),
    ("Changes", "/changes", html_table("Price changes")),
    # Before any run: what a run shows, over an example of its results.
    ("Runs", "/runs", html_table("Example run results")),
    ("Playground", "/playground", '[data-testid="stHtml"] ul[aria-label="Model"]'),
    # The model picker below that line, drawn after the first-visit pause (a selectbox: twenty chunks of its own);
    # not the page's first content, so it has no target.
    ("Playground picker", "/playground", '[data-testid="stMain"] [data-testid="stSelectbox"]'),
    ("Model", "/model?id=deepseek-ai/DeepSeek-R1-0528", '[data-testid="stHtml"] dl[aria-label="Prices"]'),
)
ONE_LINE_READY = '[data-testid="stMarkdown"]'
#: The floor of any page that shows a plotly chart: Streamlit's plotly chunk (4.6 MB of JavaScript) is loaded
#: and run in the browser before the first chart appears, however small the chart.
ONE_PLOTLY_PAGE = """\
import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h")), config={"displayModeBar": False})
"""


def seed_history(url: str, workdir: Path) -> None:
    """A second provider, Acme, selling 12 of DeepInfra's models, recorded twice (20 and 5 days ago) with prices
    moved in between: Providers has models on two hosts to compare and Changes has changes to list."""
    import datetime as dt
    import io

    import catalog
    from catalog.cli import main as cli

    models = catalog.load_catalog().models[:12]
    os.environ["CATALOG_DB_URL"] = url
    try:
        for number, (days, factor) in enumerate(((20, 0.9), (5, 1.1))):
            rows = "".join(
                f"| {m.model} | ${m.input_usd_per_mtok * factor:.4f} | ${m.output_usd_per_mtok * factor:.4f} |\n"
                for m in models
            )
            page = workdir / f"acme-{number}.md"
            page.write_text(
                f"# Acme\n\nAcme offers {len(models)} models.\n\n## Chat Completions\n\n"
                f"| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n{rows}",
                encoding="utf-8",
            )
            day = (dt.date.today() - dt.timedelta(days=days)).isoformat()
            assert cli(["refresh", "--source", str(page), "--as-of", day], stdout=io.StringIO()) == 0
    finally:
        del os.environ["CATALOG_DB_URL"]


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
    heading = next(item.value for item in at.markdown if item.value.startswith("### "))  # "### 52 of 52 models"
    rows = int(heading.split()[1].replace(",", ""))
    search = at.text_input(key="f_q")
    values = iter(["instruct", ""] * repeat)
    at.text_input(key="f_q").set_value(next(values)).run()  # warm the caches once

    def change_filter() -> None:
        at.text_input(key="f_q").set_value(next(values)).run()

    samples = timed(change_filter, repeat)
    assert not at.exception, at.exception
    del search
    return samples, rows


#: Run in every tab before its page loads: the wall-clock time of the first animation frame in which `selector`
#: matches a visible element, the frame that paints it. Playwright's own wait notices the element later, by up to
#: 0.4 s when the page's main thread is busy with what follows its content (the widgets sent after the first-visit
#: pause), which charged the pages for work done once their content was on screen; the one-line reference, with
#: nothing after its line, was not charged alike.
PAINTED = """(() => {
    const selector = %s;
    window.__painted = null;
    const frame = () => {
        for (const element of document.querySelectorAll(selector)) {
            const box = element.getBoundingClientRect();
            if (box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden") {
                window.__painted = Date.now();
                return;
            }
        }
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
})();"""


def painted_at(browser: object, url: str, selector: str) -> float:
    """The wall-clock time (seconds) at which `selector` was first painted in a fresh Chromium tab (own cookies,
    own session) opened on `url`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.add_init_script(PAINTED % json.dumps(selector))
    tab.goto(url)
    tab.wait_for_function("() => window.__painted !== null", timeout=60_000)
    painted = tab.evaluate("() => window.__painted") / 1000
    context.close()
    return float(painted)


def first_content(browser: object, url: str, selector: str) -> float:
    """Seconds from opening `url` in a fresh tab to `selector` painted."""
    start = time.time()  # the wall clock, as the page's Date.now()
    return painted_at(browser, url, selector) - start


def cold_start(app: Path, selector: str, browser: object, path: str = "", env: dict[str, str] | None = None) -> float:
    """Seconds from `streamlit run` to `selector` painted in a fresh Chromium tab opened on `path`."""
    start = time.time()
    with run_streamlit(app=app, env=env) as url:
        return painted_at(browser, url + path, selector) - start


def every_page(
    browser: object, references: dict[str, tuple[Path, str]], cold: int, warm: int, env: dict[str, str]
) -> dict[str, list[float]]:
    """First-content seconds of the reference pages (name: app, selector) and of every dashboard page, cold
    and warm, interleaved so that drift on the machine hits all alike. Keys: "cold <page>", "warm <page>"."""
    runs: dict[str, list[float]] = {}
    cases = tuple((name, app, "", ready) for name, (app, ready) in references.items()) + tuple(
        (name, ROOT / "app.py", path, ready) for name, path, ready in PAGE_CASES
    )
    for _ in range(cold):
        for name, app, path, ready in cases:
            runs.setdefault(f"cold {name}", []).append(cold_start(app, ready, browser, path, env))
    with contextlib.ExitStack() as servers:
        urls = {app: servers.enter_context(run_streamlit(app=app, env=env)) for _, app, _, _ in cases}
        for round_ in range(warm + 1):  # the first round warms the servers' imports and caches, uncounted
            for name, app, path, ready in cases:
                seconds = first_content(browser, urls[app] + path, ready)
                if round_:
                    runs.setdefault(f"warm {name}", []).append(seconds)
    return runs


def print_pages(runs: dict[str, list[float]], cold: int, warm: int) -> None:
    for kind, count in (("cold", cold), ("warm", warm)):
        if not count:
            continue
        how = "a fresh `streamlit run` per visit" if kind == "cold" else "a running server, a fresh tab"
        print(f"First painted content of every page in headless Chromium, {kind} ({how}), median of {count}:")
        reference = median_ms(runs[f"{kind} one-line page"])
        print(f"  {'page':<34} {'median ms':>10} {'× one-line':>13} {'target':>10}")
        print(f"  {'one-line page (reference)':<34} {reference:>10.0f} {1.0:>13.2f}")
        plotly = median_ms(runs[f"{kind} one plotly chart"])
        print(f"  {'one two-bar plotly chart (floor)':<34} {plotly:>10.0f} {plotly / reference:>13.2f}")
        for name, path, _ in PAGE_CASES:
            value = median_ms(runs[f"{kind} {name}"])
            label = f"{name} ({path.split('?')[0]})"
            target = "" if name == "Playground picker" else "≤ 1.5×"
            print(f"  {label:<34} {value:>10.0f} {value / reference:>13.2f} {target:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="reruns per AppTest case")
    parser.add_argument("--cold", type=int, default=3, help="cold starts per app and page")
    parser.add_argument("--warm", type=int, default=5, help="visits per page to a running server")
    parser.add_argument("--pages-only", action="store_true", help="only the first content of every page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # A throwaway price history with a second provider, so nothing touches the user's.
        env = {"CATALOG_DB_URL": f"sqlite:///{workdir / 'history.sqlite3'}"}
        seed_history(env["CATALOG_DB_URL"], workdir)
        from playwright.sync_api import sync_playwright

        one_line = workdir / "one_line_app.py"
        one_line.write_text(ONE_LINE_PAGE)
        one_plotly = workdir / "one_plotly_app.py"
        one_plotly.write_text(ONE_PLOTLY_PAGE)
        references = {"one-line page": (one_line, ONE_LINE_READY), "one plotly chart": (one_plotly, PLOTLY_READY)}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            pages = every_page(browser, references, args.cold, args.warm, env)
            browser.close()
        print_pages(pages, args.cold, args.warm)
        if args.pages_only:
            return
        big = workdir / "generated-5000.md"
        # Titled DeepInfra, so it stands in for the embedded page: exactly 5,000 models.
        big.write_text(generated_page(5000), encoding="utf-8")

        empty = median_ms(empty_page_rerun(args.repeat, workdir))
        small_samples, small_rows = browse_filter_rerun(args.repeat, None)
        big_samples, big_rows = browse_filter_rerun(args.repeat, str(big))
        small, large = median_ms(small_samples), median_ms(big_samples)

        one_table = workdir / "one_table_app.py"
        one_table.write_text(ONE_TABLE_PAGE)
        catalog_table = workdir / "catalog_table_app.py"
        catalog_table.write_text(CATALOG_TABLE_PAGE)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            dashboard_runs, reference_runs, table_runs, catalog_runs = [], [], [], []
            for _ in range(args.cold):  # interleaved, so drift on the machine hits all alike
                reference_runs.append(cold_start(one_line, ONE_LINE_READY, browser, env=env))
                table_runs.append(cold_start(one_table, DATAFRAME, browser, env=env))
                catalog_runs.append(cold_start(catalog_table, html_table("Models"), browser, env=env))
                dashboard_runs.append(cold_start(ROOT / "app.py", html_table("Models"), browser, env=env))
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
    print(f"  {'the 52-model HTML table alone':<34} {table_alone:>10.0f} {table_alone / reference:>13.2f}")
    print(f"  {'dashboard, table painted':<34} {dashboard:>10.0f} {dashboard / reference:>13.2f} {'≤ 1.5×':>10}")


if __name__ == "__main__":
    main()
