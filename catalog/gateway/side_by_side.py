"""The same prompt to several models at once, each in its own thread; the table that compares them; exports."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from catalog.gateway.client import GatewayClient
from catalog.gateway.errors import GatewayError, detached
from catalog.gateway.messages import ChatRequest, ChatResult
from catalog.gateway.stream import ChatStream
from catalog.gateway.transcript import metrics_line, reply_turn

MAX_SIDE_BY_SIDE = 4


def failed_result(request: ChatRequest, error: GatewayError, elapsed_s: float) -> ChatResult:
    """A result for a request that got no reply, so side-by-side rows stay uniform."""
    record = request.record
    return ChatResult(
        record.model, "", "", None, None, error.request_id, None, elapsed_s, None, error, provider=record.provider
    )


class SideBySide:
    """Run the requests in threads; poll `partial_texts()`, then read `results()`.

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
            return failed_result(request, detached(error), time.perf_counter() - started)

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
                detached(result.error)
        return results


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
                "provider": result.provider,
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


def _unchanged(text: str) -> str:
    return text


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    """A comparison row for export: dollars to 10 decimals, seconds to milliseconds (no float noise)."""
    places = {"cost_usd": 10, "deepinfra_estimate_usd": 10, "ttft_s": 3, "total_s": 3, "tokens_per_s": 1}
    return {
        name: round(value, places[name]) if name in places and value is not None else value
        for name, value in row.items()
    }


def export_json(
    prompt: str,
    results: Sequence[ChatResult],
    *,
    system_prompt: str,
    redact: Callable[[str], str] = _unchanged,
) -> str:
    """A side-by-side run as JSON: the prompt, then each model's row, reply, reasoning and error."""
    entries = []
    for row, result in zip(comparison_rows(results), results, strict=True):
        error = None if result.error is None else redact(result.error.message)
        texts = {"reply": redact(result.content), "reasoning": redact(result.reasoning), "error": error}
        entries.append(_rounded(row) | texts | {"request_id": result.request_id})
    document = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "system_prompt": redact(system_prompt),
        "prompt": redact(prompt),
        "results": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def export_markdown(
    prompt: str,
    results: Sequence[ChatResult],
    *,
    system_prompt: str,
    redact: Callable[[str], str] = _unchanged,
) -> str:
    """A side-by-side run as a markdown document: the prompt, then each model's reply and metrics."""
    lines = ["# Side by side", ""]
    if system_prompt.strip():
        lines += ["**System prompt:**", "", system_prompt.strip(), ""]
    lines += ["**Prompt:**", "", prompt, ""]
    for result in results:
        turn = reply_turn(result)
        lines += [f"## {result.model} ({result.provider})" if result.provider else f"## {result.model}", ""]
        if result.content:
            lines += [result.content, ""]
        if turn.error:
            lines += [f"**{turn.error}**", ""]
        if turn.metrics is not None:
            lines += [f"_{metrics_line(turn.metrics)}_", ""]
    return redact("\n".join(lines))
