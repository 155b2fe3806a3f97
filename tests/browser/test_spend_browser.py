"""Issue 18 in headless Chromium: the Playground and Runs in each spend mode, at 1440×900 and 390×844, against
the loopback fake gateway holding the operator's token (screenshots spend-<mode>-<page>-<size>.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from fake_gateway import running_fake

from catalog.spend import hash_passphrase

TOKEN = "fwd_tok_SPEND_BROWSER_OPERATOR"
PASSPHRASE = "a long operator passphrase"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
MODES = ("off", "passphrase", "public", "oidc")
#: What a visitor who may not spend the operator's credential is told besides pasting their own.
UNLOCK_WORDS = {"off": "session only.", "passphrase": "unlock spending with the operator's passphrase",
                "oidc": "Or sign in"}  # fmt: skip


@pytest.fixture(scope="module")
def fake():
    with running_fake(forward_tokens={TOKEN}) as server:
        yield server


@pytest.fixture(scope="module", params=MODES)
def spend_app(request, fake, tmp_path_factory) -> Iterator[tuple[str, str]]:
    env = {
        "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN, "CATALOG_SPEND_MODE": request.param,
        "CATALOG_SPEND_PASSPHRASE_HASH": hash_passphrase(PASSPHRASE), "CATALOG_SPEND_EMAILS": "ann@example.org",
        "CATALOG_DB_URL": f"sqlite:///{tmp_path_factory.mktemp('spend') / 'spend.sqlite3'}",
    }  # fmt: skip
    with run_streamlit(env) as url:
        yield request.param, url


def _tab(browser, size: str):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    return context, context.new_page()


def _send(tab, url: str, prompt: str) -> None:
    tab.goto(f"{url}/playground?model={MODEL}")
    wait_for_app(tab)
    box = tab.get_by_test_id("stChatInputTextArea")
    box.fill(prompt)
    box.press("Enter")


@pytest.mark.parametrize("size", SIZES)
def test_the_playground_and_runs_in_each_mode(spend_app, fake, browser, size, screenshot_dir):
    mode, url = spend_app
    context, tab = _tab(browser, size)
    try:
        before = fake.chat_requests
        tab.goto(f"{url}/playground?model={MODEL}")
        wait_for_app(tab)
        if mode == "public":
            _send(tab, url, "Hello from a visitor")
            tab.get_by_text("says hello").first.wait_for(timeout=20_000)
            wait_for_app(tab)
            assert fake.chat_requests == before + 1
        else:
            hint = tab.get_by_text("To send prompts, paste")  # a preview: what a prompt would cost, nothing sent
            hint.wait_for(timeout=10_000)
            assert UNLOCK_WORDS[mode] in hint.inner_text()
            assert tab.get_by_test_id("stChatInputTextArea").count() == 0 and fake.chat_requests == before
        assert exceptions_shown(tab) == [] and TOKEN not in tab.inner_text("body")
        tab.screenshot(path=str(screenshot_dir / f"spend-{mode}-playground-{size}.png"), full_page=True)
        tab.goto(f"{url}/runs")
        wait_for_app(tab)
        tab.get_by_text("No runs yet").wait_for(timeout=10_000)
        assert exceptions_shown(tab) == []
        tab.screenshot(path=str(screenshot_dir / f"spend-{mode}-runs-{size}.png"), full_page=True)
    finally:
        context.close()


def _to_playground(tab) -> None:
    tab.get_by_test_id("stTopNav").get_by_text("Playground", exact=True).click()
    wait_for_app(tab)


def _unlock(tab, passphrase: str) -> None:
    field = tab.get_by_label("Operator's passphrase")
    if not field.is_visible():  # the popover stays open after a try
        tab.get_by_text("Unlock spending").click()
    field.fill(passphrase)
    field.press("Enter")  # the form's submit: the Unlock button may sit below a short screen's edge
    wait_for_app(tab)


def test_a_wrong_passphrase_is_refused_the_sixth_try_waits_and_the_right_one_unlocks(
    spend_app, fake, browser, screenshot_dir
):
    mode, url = spend_app
    if mode != "passphrase":
        pytest.skip("the passphrase field is there in passphrase mode only")
    context, tab = _tab(browser, "desktop")
    try:
        tab.goto(f"{url}/")
        wait_for_app(tab)
        for n in range(5):
            _unlock(tab, f"wrong guess {n}")
            left = ("4 more tries", "3 more tries", "2 more tries", "1 more try", "no more tries")[n]
            tab.get_by_text(f"That is not the passphrase ({left} this minute).").wait_for(timeout=20_000)
        _unlock(tab, PASSPHRASE)  # the sixth try in a minute, even the right one, waits
        tab.get_by_text("Too many tries: wait").wait_for(timeout=10_000)
        tab.screenshot(path=str(screenshot_dir / "spend-passphrase-sixth-try.png"), full_page=True)
        _to_playground(tab)  # in the same session: a new page load would be a new session
        tab.get_by_text("unlock spending with the operator's passphrase").wait_for(timeout=10_000)  # still locked
        assert tab.get_by_test_id("stChatInputTextArea").count() == 0
    finally:
        context.close()
    context, tab = _tab(browser, "desktop")  # another session, its own tries
    try:
        tab.goto(f"{url}/")
        wait_for_app(tab)
        _unlock(tab, PASSPHRASE)
        tab.get_by_text("Unlock spending").wait_for(state="detached", timeout=20_000)  # unlocked: the field is gone
        before = fake.chat_requests
        _to_playground(tab)
        tab.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})  # unlocked, then on a phone
        box = tab.get_by_test_id("stChatInputTextArea")
        box.fill("Hello, unlocked")
        box.press("Enter")
        tab.get_by_text("says hello").first.wait_for(timeout=20_000)
        wait_for_app(tab)
        assert fake.chat_requests == before + 1 and exceptions_shown(tab) == []
        tab.screenshot(path=str(screenshot_dir / "spend-passphrase-unlocked-phone.png"), full_page=True)
    finally:
        context.close()


def test_a_grid_offers_no_download_of_its_own_only_ours_through_the_csv_guard(browser, tmp_path, screenshot_dir):
    """Streamlit's grid toolbar has a "Download as CSV" that writes cells as they are (a model id `=HYPERLINK(…)`
    too); the router hides it everywhere, and our guarded "Download CSV" buttons stay."""
    with run_streamlit({"CATALOG_DB_URL": f"sqlite:///{tmp_path / 'grid.sqlite3'}"}) as url:
        context, tab = _tab(browser, "desktop")
        try:
            tab.goto(f"{url}/")
            wait_for_app(tab)
            tab.get_by_text("Interactive grid").click()
            grid = tab.get_by_test_id("stDataFrame")
            grid.wait_for(timeout=30_000)
            wait_for_app(tab)
            grid.hover()  # the toolbar shows over a hovered grid
            buttons = tab.get_by_test_id("stElementToolbar").first.get_by_test_id("stElementToolbarButton")
            buttons.first.wait_for(timeout=10_000)
            shown = [button.get_attribute("aria-label") or "" for button in buttons.locator("button").all()
                     if button.is_visible()]  # fmt: skip
            assert shown and not [label for label in shown if label.startswith("Download as CSV")], shown
            assert any(label.startswith("Search") for label in shown)  # the rest of the toolbar is there
            assert tab.get_by_role("button", name="Download CSV").is_visible()  # ours, through csv_cell
            tab.screenshot(path=str(screenshot_dir / "spend-grid-toolbar-no-csv.png"))
        finally:
            context.close()
