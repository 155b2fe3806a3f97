"""The order in which a page's script sent its elements to the browser (which fetches each element type's
JavaScript in that order), as opposed to the order they are shown in (`at.main`), for AppTest tests."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.testing.v1 import local_script_runner

from pages.common import state


def sent_elements(at: Any) -> list[str]:
    """Run the page again as it stands and list the elements it sends, in sending order, by proto type
    (`html`, `html <table label>`, `number_input`, `checkbox` for a toggle…)."""
    captured: list[Any] = []
    original = local_script_runner.parse_tree_from_messages

    def capture(messages: list[Any]) -> Any:
        captured.extend(messages)
        return original(messages)

    local_script_runner.parse_tree_from_messages = capture  # type: ignore[assignment]
    try:
        at.run()
    finally:
        local_script_runner.parse_tree_from_messages = original  # type: ignore[assignment]
    assert not at.exception
    return [_kind(message.delta.new_element) for message in captured if message.HasField("delta")
            and message.delta.HasField("new_element")]  # fmt: skip


def _kind(element: Any) -> str:
    """An element's proto type; an HTML table, chart or figures also names it: `html Workload costs`."""
    kind = str(element.WhichOneof("type"))
    label = re.search(r'<(?:table|div|dl|ul) [^>]*aria-label="([^"]*)"', element.html.body) if kind == "html" else None
    return f"{kind} {html.unescape(label.group(1))}" if label else kind


def shown_elements(at: Any) -> list[str]:
    """The main area's elements in the order they are shown, by AppTest's type names."""

    def walk(node: Any) -> Iterator[str]:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for key in sorted(children):
                yield from walk(children[key])
        else:
            yield str(getattr(node, "type", ""))

    return list(walk(at.main))


def sent_around_the_pause(at: Any, monkeypatch: Any) -> tuple[list[str], list[str]]:
    """Run a session's first run of the page, which pauses once (`state.show_content_first`) without sleeping,
    and list the elements it sent before the pause and after it, in sending order."""
    sent: list[str] = []
    pauses: list[int] = []
    enqueue = ForwardMsgQueue.enqueue

    def recording_enqueue(queue: ForwardMsgQueue, message: Any) -> None:
        if message.HasField("delta") and message.delta.HasField("new_element"):
            sent.append(_kind(message.delta.new_element))
        enqueue(queue, message)

    class Clock:
        def sleep(self, seconds: float) -> None:
            pauses.append(len(sent))

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", recording_enqueue)
    monkeypatch.setattr(state, "time", Clock())
    at.run()
    assert not at.exception
    (pause,) = pauses
    return sent[:pause], sent[pause:]
