"""Shared fixtures: a real `streamlit run app.py` on loopback and Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from catalog.formats.operator_limits import use_operator_limits
from catalog.gateway.config import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Variables that would point the app at a real gateway or leak a real credential into a test.
GATEWAY_VARIABLES = (*SETTING_NAMES, "CATALOG_SOURCES")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment_without_credentials(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without gateway credentials, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if name not in GATEWAY_VARIABLES}
    env.update(overrides or {})
    return env


@contextlib.contextmanager
def run_streamlit(env: Mapping[str, str] | None = None, app: Path = APP, timeout: float = 60) -> Iterator[str]:
    """Start `streamlit run <app>` on a free loopback port; yield its base URL; stop it after."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]  # fmt: skip
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command, cwd=app.parent, env=environment_without_credentials(env), stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit exited early:\n{log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session", autouse=True)
def isolated_history_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the price history at a throwaway SQLite file, so no test reads or writes the user's own."""
    previous = os.environ.get("CATALOG_DB_URL")
    os.environ["CATALOG_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.sqlite3'}"
    yield
    if previous is None:
        os.environ.pop("CATALOG_DB_URL", None)
    else:
        os.environ["CATALOG_DB_URL"] = previous


@pytest.fixture(autouse=True)
def no_operator_limits_after_the_test() -> Iterator[None]:
    """A dashboard page run puts the operator's map in force for the process (`catalog.limits`): not past its test."""
    yield
    use_operator_limits({})


@pytest.fixture(scope="session")
def streamlit_url() -> Iterator[str]:
    """The dashboard on the embedded catalog, with no gateway configured."""
    with run_streamlit() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (which cannot download its own browser here)."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab (own cookies and storage) for one test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where browser tests save screenshots of each page (kept after the run for people to look at)."""
    path = Path(tempfile.gettempdir()) / "llm-catalog-screenshots"
    path.mkdir(exist_ok=True)
    return path


#: A JavaScript expression, true while the app is not yet drawn or still busy: no app, the script running (its
#: state, or the status widget's "Running"), or a skeleton where an element's JavaScript is still loading.
BUSY = """(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    return !app || app.getAttribute('data-test-script-state') === 'running'
        || Boolean(status && status.innerText.includes('Running'))
        || Boolean(document.querySelector('[data-testid="stSkeleton"]'));
})()"""


def wait_for_app(tab: Page, timeout_ms: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator, app rendered) and every
    element is drawn (no skeleton left where an element's JavaScript was still loading)."""
    tab.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    tab.wait_for_function(f"() => !({BUSY})", timeout=timeout_ms)


def settled(tab: Page, quiet_ms: int = 600, timeout_ms: float = 30_000) -> None:
    """Wait until the app has been idle (as `wait_for_app` sees it) for `quiet_ms` in a row: after a click, the
    rerun it asks for may not have begun yet when the app first looks idle, and its elements are then replaced."""
    tab.evaluate("() => { window.__idleSince = undefined; }")
    tab.wait_for_function(
        """(quiet) => {
            const busy = BUSY;
            const now = performance.now();
            if (busy || window.__idleSince === undefined) {
                window.__idleSince = busy ? undefined : now;
                return false;
            }
            return now - window.__idleSince >= quiet;
        }""".replace("BUSY", BUSY),
        arg=quiet_ms,
        polling=100,
        timeout=timeout_ms,
    )


def exceptions_shown(tab: Page) -> list[str]:
    """The text of every Streamlit exception block on the page."""
    return [block.inner_text() for block in tab.query_selector_all('[data-testid="stException"]')]
