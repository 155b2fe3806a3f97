"""The Playground end to end in headless Chromium: `streamlit run app.py` against the fake gateway."""

from __future__ import annotations

import re

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from fake_gateway import running_fake

TOKEN = "fwd_tok_BROWSER_SECRET_5eed"
REPLY_TIMEOUT_MS = 20_000
#: The operator lets every visitor spend the configured credential (issue 18; the modes: test_spend_browser.py).
PUBLIC = {"CATALOG_SPEND_MODE": "public", "CATALOG_VISITOR_MAX_TOKENS": "131072"}


@pytest.fixture(scope="module")
def fake():
    with running_fake(forward_tokens={TOKEN}) as server:
        yield server


@pytest.fixture(scope="module")
def app_url(fake):
    with run_streamlit(env={"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN, **PUBLIC}) as url:
        yield url


def chat(page, url: str, prompt: str, model: str = "meta-llama/Meta-Llama-3.1-8B-Instruct") -> None:
    page.goto(f"{url}/playground?model={model}")
    wait_for_app(page)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(prompt)
    box.press("Enter")


def test_a_prompt_streams_a_reply_with_its_cost_and_speed(app_url, page, screenshot_dir):
    chat(page, app_url, "Hello from the browser !fake:chunk_delay=0.05", model="deepseek-ai/DeepSeek-R1")
    page.get_by_text("tokens/s").wait_for(timeout=REPLY_TIMEOUT_MS)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "You wrote: Hello from the browser" in body and "Reasoning" in body
    assert "DeepInfra estimate $" in body and "first token" in body and "Session total" in body
    assert exceptions_shown(page) == [] and TOKEN not in page.content() and TOKEN not in page.url
    page.screenshot(path=str(screenshot_dir / "playground-chat.png"), full_page=True)


def test_html_in_a_reply_is_shown_as_text_not_run(app_url, page, screenshot_dir):
    chat(page, app_url, '<img src="x" onerror="window.__xss=1"> <script>window.__xss=2</script> <b>bold?</b>')
    page.get_by_text("tokens/s").wait_for(timeout=REPLY_TIMEOUT_MS)
    wait_for_app(page)
    messages = page.get_by_test_id("stChatMessage")
    assert messages.locator("img[src='x'], script, b").count() == 0
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss=2</script>" in messages.last.inner_text()
    page.screenshot(path=str(screenshot_dir / "playground-html-escaped.png"), full_page=True)


def test_side_by_side_in_the_browser(app_url, page, screenshot_dir):
    page.goto(f"{app_url}/playground")
    wait_for_app(page)
    page.get_by_text("Side by side", exact=True).click()
    picker = page.get_by_test_id("stMultiSelect").locator("input")
    for model in ("Qwen/Qwen3-14B", "deepseek-ai/DeepSeek-R1"):
        picker.fill(model)
        picker.press("Enter")
    picker.press("Escape")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Which of you is cheaper?")
    box.press("Enter")
    table = page.get_by_test_id("stDataFrame")
    table.wait_for(timeout=REPLY_TIMEOUT_MS)
    wait_for_app(page)
    assert exceptions_shown(page) == [] and page.get_by_text("Payment required").count() == 0
    assert page.get_by_test_id("stColumn").filter(has_text="tokens/s").count() >= 3
    assert page.get_by_role("button", name="Export JSON").count() == 1
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "playground-side-by-side.png"))


def test_picking_another_model_chats_with_it(app_url, fake, page, screenshot_dir):
    page.goto(f"{app_url}/playground?model=deepseek-ai/DeepSeek-R1")
    wait_for_app(page)
    picker = page.get_by_role("combobox", name="Model")
    picker.fill("microsoft/phi-4 ")
    picker.press("Enter")
    page.wait_for_url(re.compile(r"model=microsoft%2Fphi-4(&|$)"), timeout=10_000)
    wait_for_app(page)
    line = page.locator('[data-testid="stHtml"] ul[aria-label="Model"]')
    assert line.locator("a").inner_text() == "phi 4" and "$0.07 in" in line.inner_text()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Which model are you?")
    box.press("Enter")
    page.get_by_text("tokens/s").wait_for(timeout=REPLY_TIMEOUT_MS)
    wait_for_app(page)
    assert fake.requests[-1]["body"]["model"] == "microsoft/phi-4"
    assert exceptions_shown(page) == []
    page.screenshot(path=str(screenshot_dir / "playground-picked-model.png"))


def test_a_wrong_token_reads_authentication_failed(fake, page, screenshot_dir):
    with run_streamlit(env={"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": "fwd_tok_WRONG", **PUBLIC}) as url:
        chat(page, url, "Hello?")
        page.get_by_text("Authentication failed").wait_for(timeout=REPLY_TIMEOUT_MS)
        wait_for_app(page)
        assert exceptions_shown(page) == [] and "fwd_tok_WRONG" not in page.inner_text("body")
        page.screenshot(path=str(screenshot_dir / "playground-auth-failed.png"), full_page=True)
