"""The playground's session logic: the transcript, its totals and exports, and side-by-side runs.

Everything here is plain data and functions, so the Streamlit page only reads widgets and renders.
No credential ever enters a `Turn`, an export or a comparison row.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from catalog.chat.client import ChatParams, ChatRequest, ChatResult, ChatStream, GatewayClient, Message
from catalog.chat.config import ConfigError
from catalog.chat.errors import GatewayError
from catalog.records import Catalog, ModelRecord

#: Preselected when the URL names no model (or one the catalog lacks): cheap, fast, widely known.
DEFAULT_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
MAX_SIDE_BY_SIDE = 4
#: Hosts a chat request may target. The catalog can include pages a user uploaded, and their target URL
#: must not be able to send the operator's credential (or the DeepInfra key, in direct mode) elsewhere.
TRUSTED_TARGET_HOSTS = frozenset({"api.deepinfra.com"})
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True, slots=True)
class ReplyMetrics:
    """What one reply cost and how fast it came."""

    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    estimated_cost_usd: float | None
    ttft_s: float | None
    total_s: float
    tokens_per_s: float | None
    request_id: str | None

    @classmethod
    def from_result(cls, result: ChatResult) -> ReplyMetrics:
        usage = result.usage
        return cls(
            prompt_tokens=None if usage is None else usage.prompt_tokens,
            completion_tokens=None if usage is None else usage.completion_tokens,
            cost_usd=result.cost_usd,
            estimated_cost_usd=None if usage is None else usage.estimated_cost_usd,
            ttft_s=result.ttft_s,
            total_s=result.total_s,
            tokens_per_s=result.tokens_per_s,
            request_id=result.request_id,
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation; an assistant turn carries its model, metrics and any failure."""

    role: str
    content: str
    model: str | None = None
    reasoning: str = ""
    metrics: ReplyMetrics | None = None
    #: A person-readable reason when the reply failed or is incomplete.
    error: str | None = None


def reply_turn(result: ChatResult) -> Turn:
    """The assistant turn for a reply, complete or not."""
    error = None if result.error is None else result.error.message
    metrics = ReplyMetrics.from_result(result)
    return Turn("assistant", result.content, result.model, result.reasoning, metrics, error)


def failed_turn(model: str, error: GatewayError) -> Turn:
    """The assistant turn for a request that got no reply at all."""
    return Turn("assistant", "", model, error=error.message)


def request_messages(turns: Iterable[Turn], system_prompt: str = "") -> tuple[Message, ...]:
    """The messages to send: the system prompt, then every turn that has text (failed replies are left out)."""
    messages = [Message("system", system_prompt.strip())] if system_prompt.strip() else []
    messages.extend(Message(turn.role, turn.content) for turn in turns if turn.content)
    return tuple(messages)


@dataclass(frozen=True, slots=True)
class SessionTotals:
    """Running totals over the session's replies."""

    replies: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    #: DeepInfra's own estimates added up; None when no reply carried one (it may be absent from streams).
    estimated_cost_usd: float | None = None


def session_totals(turns: Iterable[Turn]) -> SessionTotals:
    """Sum the metrics of every assistant reply that reported usage."""
    metrics = [turn.metrics for turn in turns if turn.metrics is not None]
    estimates = [m.estimated_cost_usd for m in metrics if m.estimated_cost_usd is not None]
    return SessionTotals(
        replies=len(metrics),
        prompt_tokens=sum(m.prompt_tokens or 0 for m in metrics),
        completion_tokens=sum(m.completion_tokens or 0 for m in metrics),
        cost_usd=sum(m.cost_usd or 0.0 for m in metrics),
        estimated_cost_usd=sum(estimates) if estimates else None,
    )


def code_span(text: str, limit: int = 120) -> str:
    """`text` as one inline markdown code span, whatever it holds (a link's `?model=`, a response header).

    Backticks and line breaks would end the span and let the rest render as markdown: links, images
    fetched from anywhere, headings. They are dropped, and a long text is cut.
    """
    text = "".join(char for char in text if char != "`" and char.isprintable())
    return f"`{text if len(text) <= limit else text[: limit - 1] + '…'}`"


# Markdown as Streamlit renders it (CommonMark): only used to find code blocks, where `![` is just text.
_MARKDOWN = MarkdownIt("commonmark")
_CODE_BLOCKS = ("fence", "code_block")
_BANG = re.compile(r"!\[")


def without_images(text: str) -> str:
    """Model output whose markdown can show no image, so showing a reply never fetches an outside address.

    A prompt-injected reply could otherwise send the conversation to any server in an image's URL. Every
    `![` outside code blocks gets its `!` escaped: `![alt](url)` then shows as "!" and a link, whatever
    the image syntax (inline, reference, nested brackets); code blocks keep `vec![1]` as written.
    """
    return _escape_bangs(text, 0, len(text))


def stream_without_images(chunks: Iterable[str]) -> Iterator[str]:
    """`without_images` for a stream: the same text, piece by piece; a trailing `!` waits for what follows."""
    text, shown = "", 0
    for chunk in chunks:
        text += chunk
        end = len(text) - 1 if text.endswith("!") else len(text)
        if end > shown:
            yield _escape_bangs(text, shown, end)
            shown = end
    if shown < len(text):
        yield _escape_bangs(text, shown, len(text))


def _code_lines(block: Token) -> range:
    """The lines of a code block that show as code: not a fence's first line, whose text is not shown."""
    first, end = block.map or (0, 0)
    return range(first + 1 if block.type == "fence" else first, end)


def _escape_bangs(text: str, begin: int, end: int) -> str:
    """`text[begin:end]` with each `![` escaped, except in code blocks (found in all of `text`, for context)."""
    bangs = [match.start() for match in _BANG.finditer(text, begin, end + 1) if match.start() < end]
    if not bangs:
        return text[begin:end]
    code = [_code_lines(token) for token in _MARKDOWN.parse(text) if token.map and token.type in _CODE_BLOCKS]
    pieces, last = [], begin
    for bang in bangs:
        backslashes = len(text[:bang]) - len(text[:bang].rstrip("\\"))
        line = text.count("\n", 0, bang)
        if backslashes % 2 == 0 and not any(line in block for block in code):  # an odd count escapes it already
            pieces += [text[last:bang], "\\"]
            last = bang
    pieces.append(text[last:end])
    return "".join(pieces)


def format_usd(amount: float | None) -> str:
    """Dollars with three significant digits for small amounts: `$0.0000316`, `$0.0123`, `$1.50`."""
    if amount is None:
        return "—"
    if amount == 0:
        return "$0"
    decimals = max(2, 2 - math.floor(math.log10(abs(amount))))
    return f"${amount:.{decimals}f}"


def metrics_line(metrics: ReplyMetrics) -> str:
    """One caption line: tokens, cost (with DeepInfra's estimate), TTFT, speed, request id."""
    parts = []
    if metrics.prompt_tokens is not None:
        parts.append(f"{metrics.prompt_tokens} tokens in · {metrics.completion_tokens} out")
    cost = format_usd(metrics.cost_usd)
    if metrics.estimated_cost_usd is not None:
        cost += f" (DeepInfra estimate {format_usd(metrics.estimated_cost_usd)})"
    parts.append(cost)
    if metrics.ttft_s is not None:
        parts.append(f"first token {metrics.ttft_s:.2f} s")
    parts.append(f"total {metrics.total_s:.2f} s")
    if metrics.tokens_per_s is not None:
        parts.append(f"{metrics.tokens_per_s:.1f} tokens/s")
    if metrics.request_id:
        parts.append(f"id {code_span(metrics.request_id)}")
    return " · ".join(parts)


def totals_line(totals: SessionTotals) -> str:
    """One line for the session: replies, tokens, cost (with DeepInfra's estimates when it sent any)."""
    line = f"{totals.replies} replies · {totals.prompt_tokens} tokens in · {totals.completion_tokens} out · "
    line += format_usd(totals.cost_usd)
    if totals.estimated_cost_usd is not None:
        line += f" (DeepInfra estimate {format_usd(totals.estimated_cost_usd)})"
    return line


def export_json(turns: Sequence[Turn], *, system_prompt: str, params: ChatParams | None) -> str:
    """The conversation as JSON: settings, messages with their metrics, totals."""
    document = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "system_prompt": system_prompt,
        "params": asdict(params) if params is not None else None,
        "messages": [asdict(turn) for turn in turns],
        "totals": asdict(session_totals(turns)),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def export_markdown(turns: Sequence[Turn], *, system_prompt: str) -> str:
    """The conversation as a markdown document a person can read or paste."""
    lines = ["# Playground conversation", ""]
    if system_prompt.strip():
        lines += ["**System prompt:**", "", system_prompt.strip(), ""]
    for turn in turns:
        lines += [f"## {'You' if turn.role == 'user' else turn.model or 'Assistant'}", ""]
        if turn.reasoning:
            lines += ["> " + line for line in turn.reasoning.splitlines()] + [""]
        if turn.content:
            lines += [turn.content, ""]
        if turn.error:
            lines += [f"**{turn.error}**", ""]
        if turn.metrics is not None:
            lines += [f"_{metrics_line(turn.metrics)}_", ""]
    lines += ["---", "", f"Session: {totals_line(session_totals(turns))}", ""]
    return "\n".join(lines)


def resolve_model(catalog: Catalog, requested: str | None) -> tuple[ModelRecord, str | None]:
    """The model named in the URL if the catalog has it, else the default, with a warning to show."""
    if requested:
        record = catalog.find(requested)
        if record is not None:
            return record, None
    default = catalog.find(DEFAULT_MODEL) or catalog.models[0]
    if not requested:
        return default, None
    return default, f"The catalog has no model {code_span(requested)}; showing {code_span(default.model)} instead."


def price_label(record: ModelRecord) -> str:
    """A model with its prices, for pickers."""
    return f"{record.model} — ${record.input_usd_per_mtok:g} in · ${record.output_usd_per_mtok:g} out per 1M"


def parse_stop(text: str) -> tuple[str, ...]:
    """Stop sequences from a text field, one per line (at most 4 are allowed)."""
    return tuple(line for line in text.splitlines() if line.strip())


def chat_request(
    catalog: Catalog, record: ModelRecord, messages: tuple[Message, ...], params: ChatParams
) -> ChatRequest:
    """A request for `record`, sent to the chat URL its provider's page gives (never one from the UI)."""
    target_url = catalog.provider(record.provider).target_url
    if not target_url:
        raise ConfigError(f"The provider page for {record.provider} gives no chat-completions URL.")
    if not _is_trusted_target(target_url):
        trusted = ", ".join(sorted(TRUSTED_TARGET_HOSTS))
        raise ConfigError(
            f"The playground sends requests only to known provider endpoints (https on {trusted}); "
            f"the page for {record.provider} gives another address."
        )
    return ChatRequest(record, target_url, messages, params)


def _is_trusted_target(url: str) -> bool:
    """An https URL on a trusted host, spelled plainly: no user info, port, query, fragment or odd character.

    The URL is checked here with `urlsplit` but parsed again by httpx (direct mode) or by Lava (`u`); a
    plain spelling leaves no room for the parsers to disagree about the host (`https://evil\\t@trusted/`).
    """
    if not _VISIBLE_ASCII.fullmatch(url):
        return False
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.netloc in TRUSTED_TARGET_HOSTS
        and not parts.query
        and not parts.fragment
        and "\\" not in url
    )


def failed_result(request: ChatRequest, error: GatewayError, elapsed_s: float) -> ChatResult:
    """A result for a request that got no reply, so side-by-side rows stay uniform."""
    return ChatResult(request.record.model, "", "", None, None, error.request_id, None, elapsed_s, None, error)


class SideBySide:
    """The same prompt to several models at once, in threads; poll `partial_texts()`, then read `results()`.

    Leaving the `with` block early (the script stopped) cancels the streams still running.
    """

    def __init__(self, client: GatewayClient, requests: Sequence[ChatRequest]) -> None:
        if not 1 <= len(requests) <= MAX_SIDE_BY_SIDE:
            raise ValueError(f"side by side takes 1 to {MAX_SIDE_BY_SIDE} models, got {len(requests)}")
        self._client = client
        self._requests = tuple(requests)
        self._streams: list[ChatStream | None] = [None] * len(requests)
        self._futures: list[Future[ChatResult]] = []
        self._executor = ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="side-by-side")
        self._left = threading.Event()

    def __enter__(self) -> SideBySide:
        self._futures = [self._executor.submit(self._run, index) for index in range(len(self._requests))]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._left.set()
        for stream in self._streams:
            if stream is not None:
                stream.cancel()
        self._executor.shutdown(wait=True)

    def _run(self, index: int) -> ChatResult:
        request, started = self._requests[index], time.perf_counter()
        try:
            with self._client.stream(request) as reply:
                self._streams[index] = reply
                if self._left.is_set():  # the run was left while this reply was still opening
                    reply.cancel()
                for _ in reply:
                    pass  # the text accumulates in the stream; the page polls it
            return reply.result
        except GatewayError as error:
            return failed_result(request, error, time.perf_counter() - started)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds; True when every model has finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for future in self._futures:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                future.exception(timeout=remaining)
            except TimeoutError:
                return False
        return True

    def partial_texts(self) -> list[str]:
        """Each model's reply text so far."""
        return [stream.partial_text if stream is not None else "" for stream in self._streams]

    def results(self) -> list[ChatResult]:
        """Each model's result, in request order (waits for them), fit to keep in a session."""
        results = [future.result() for future in self._futures]
        for result in results:
            if result.error is not None:
                _detach(result.error)
        return results


def _detach(error: BaseException) -> None:
    """Drop what an error chains to: an httpx error's request carries the credential in its headers."""
    error.__cause__ = error.__context__ = None
    error.__traceback__ = None


def run_side_by_side(client: GatewayClient, requests: Sequence[ChatRequest]) -> list[ChatResult]:
    """Run the requests concurrently and return their results in order."""
    with SideBySide(client, requests) as run:
        return run.results()


def comparison_rows(results: Iterable[ChatResult]) -> list[dict[str, Any]]:
    """One row per model: status, cost, latency, throughput, reply length."""
    rows = []
    for result in results:
        usage = result.usage
        rows.append(
            {
                "model": result.model,
                "status": "complete" if result.error is None else result.error.title,
                "cost_usd": result.cost_usd,
                "deepinfra_estimate_usd": None if usage is None else usage.estimated_cost_usd,
                "ttft_s": result.ttft_s,
                "total_s": result.total_s,
                "tokens_per_s": result.tokens_per_s,
                "output_tokens": None if usage is None else usage.completion_tokens,
                "reply_chars": len(result.content),
            }
        )
    return rows
