"""A fake Lava forward proxy + DeepInfra chat endpoint: a real HTTP server on 127.0.0.1, for tests and bench.

It checks what a real gateway checks (the `u` target, the bearer credential, the body) and answers like
DeepInfra: SSE chunks (with `: keep-alive` comments, a usage chunk whose `choices` is empty, reasoning
deltas for reasoning models), or one JSON reply. Directives in the last user message (or the model id)
choose a behaviour, e.g. `!fake:401`, `!fake:cut`, `!fake:split`, `!fake:chunks=2000`, `!fake:delay=0.2`:

    401 403 402 404 422 422message 400 429 429once 500 502 503once html502   error replies
    slow          wait `slow_s` before answering (a read timeout)
    stall         send a few chunks, then stall for `slow_s`
    cut           send a few chunks, then drop the connection mid-stream
    malformed     send a chunk that is not JSON
    miderror      send an `{"error": …}` chunk mid-stream
    nodone        end without `data: [DONE]` (the finish reason and usage still come)
    eof           end the body cleanly after a few chunks, without finish reason or `[DONE]`
    split         write the stream in awkward small pieces (splitting UTF-8 characters)
    reasoning     send `reasoning_content` deltas first (also for any model id containing `R1`)
    json          answer a streaming request with a whole JSON reply
    noestimate    leave `estimated_cost` out of the usage
    chunks=N      answer with N numbered chunks ("0 1 2 …")
    delay=S       wait S seconds before the first chunk; `chunk_delay=S` between chunks
    endless       send a chunk every 20 ms for `slow_s` seconds (an upstream that will not stop)
    keepalive     after a few chunks, only `: keep-alive` comments every 20 ms for `slow_s` seconds
    huge=N        one content chunk of N characters, then the normal end
    echoerror     mid-stream, an error chunk quoting the bearer from character 285 (a cut at 300 splits it)
    echo401       a 401 whose message quotes the start of the bearer credential, cut short as proxies log it
    mdinject      a 400 whose message is markdown: an image, a link and HTML
    deep          mid-stream, a chunk of `[` nested 50,000 deep (with `json`, the whole reply is that)
    deep500       a 500 whose body is `[` nested 50,000 deep

For runs, models can differ (`profiles`: words written, reasoning tokens, first-byte delay), the server counts
requests in flight (`max_in_flight`), can answer the next N requests with 429 + Retry-After (`rate_limit_next`)
or every request after the first N with 402 (`payment_after`), and serves Lava's request records
(`GET /v1/requests/{id}` with the Lava secret key): `pending` (or 404) on the first fetch, then final.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from catalog.gateway.config import decode_forward_token

TARGET_URL = "https://api.deepinfra.com/v1/openai/chat/completions"
DIRECT_PATH = "/v1/openai/chat/completions"
FORWARD_PATH = "/v1/forward"
ESTIMATED_USD_PER_TOKEN = 2e-7
DIRECTIVE = re.compile(r"!fake:([a-z0-9_]+)(?:=([0-9.]+))?")
BODY_FIELDS = {"model", "messages", "stream", "temperature", "top_p", "max_tokens", "stop", "stream_options"}

ERRORS: dict[str, tuple[int, Any]] = {
    "401": (401, {"error": {"message": "Invalid forward token", "type": "authentication_error"}}),
    "403": (403, {"error": "Forbidden: this key may not use this model"}),
    "402": (402, {"error": {"message": "Insufficient balance: add credit to your wallet"}}),
    "404": (404, {"error": {"message": "The model `fake/unknown` does not exist"}}),
    "422": (422, {"detail": [{"loc": ["body", "temperature"], "msg": "must be <= 2", "type": "value_error"}]}),
    "422message": (422, {"message": "max_tokens is too large for this model"}),
    "400": (400, {"error": "This model's maximum context length is 8192 tokens"}),
    "429": (429, {"error": {"message": "Rate limit exceeded: 200 concurrent requests"}}),
    "500": (500, {"error": {"message": "Internal server error"}}),
    "502": (502, {"error": {"message": "Bad gateway"}}),
    "html502": (502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
}
ONCE = {"429once": 429, "503once": 503}
#: Directives that end a stream at its fifth event (with what each sends there).
MIDWAY = {"cut", "stall", "malformed", "miderror", "echoerror", "eof", "deep"}
#: JSON nested far past Python's parser (about 1,000 levels), and small enough for every size limit.
DEEP_JSON = "[" * 50_000


@dataclass(frozen=True)
class Profile:
    """How a fake model answers: how many words, how many reasoning tokens, and how long before the first byte."""

    words: int = 10
    reasoning_tokens: int = 0
    delay_s: float = 0.0


#: What the fake bills per token in its request records (a decimal, as Lava writes money).
BILLED_PER_TOKEN = Decimal("0.0000003")


@dataclass
class FakeGateway:
    """The server's expectations and its log; change attributes freely between requests."""

    url: str = ""
    expected_target: str = TARGET_URL
    #: Opaque forward tokens accepted as they are.
    forward_tokens: set[str] = field(default_factory=set)
    #: Built forward tokens are decoded and must carry this secret key (and `token_fields`, when given).
    secret_key: str | None = None
    token_fields: dict[str, Any] | None = None
    #: The bearer key for direct mode (DeepInfra's own path).
    deepinfra_key: str | None = None
    #: Seconds before the first byte, per model id.
    model_delays: dict[str, float] = field(default_factory=dict)
    slow_s: float = 2.0
    retry_after: str = "0"
    requests: list[dict[str, Any]] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Per model id: how it answers (models not named answer as before).
    profiles: dict[str, Profile] = field(default_factory=dict)
    #: Chat requests being answered now, and the most there ever were at once.
    in_flight: int = 0
    max_in_flight: int = 0
    #: The next N chat requests get a 429 with `Retry-After: retry_after`.
    rate_limit_next: int = 0
    #: Chat requests after this many get a 402.
    payment_after: int | None = None
    chat_requests: int = 0
    #: What each answered request reported, by request id: model and usage.
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Request-record fetches per id; the first gets `first_record` ("pending" or "404"), later ones the final record.
    record_fetches: Counter[str] = field(default_factory=Counter)
    first_record: str = "pending"
    #: Replaces the usage a reply reports: called with the prompt and the usage it would report (hostile numbers,
    #: more tokens than `max_tokens`, …); its result is sent as it is, `Infinity` and 10**400 included.
    usage_for: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    #: When (time.monotonic) each streamed reply's last byte was sent, by request id.
    finished: dict[str, float] = field(default_factory=dict)

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)
            entry["id"] = f"req_fake_{len(self.requests)}"


@contextlib.contextmanager
def running_fake(**settings: Any) -> Iterator[FakeGateway]:
    """Start a fake gateway on a free loopback port; yield it; stop it."""
    fake = FakeGateway(**settings)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 resets connections when 16+ clients connect at once
    fake: FakeGateway

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-reply are part of the tests, not server errors."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `fake.requests` instead."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        """Lava's request records: pending (or missing) on the first fetch, then final, money as decimal strings."""
        fake = self.server.fake
        path = urlsplit(self.path).path
        if not path.startswith("/v1/requests/"):
            return self._json(404, {"error": {"message": "no route"}})
        bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if fake.secret_key is None or bearer != fake.secret_key:
            return self._json(401, {"error": {"message": "Invalid secret key"}})
        request_id = path.removeprefix("/v1/requests/")
        with fake.lock:
            fake.record_fetches[request_id] += 1
            first = fake.record_fetches[request_id] == 1
            sent = fake.sent.get(request_id)
        if sent is None or (first and fake.first_record == "404"):
            return self._json(404, {"error": {"message": "request not found"}})
        usage = sent["usage"]
        total = (BILLED_PER_TOKEN * (usage["prompt_tokens"] + usage["completion_tokens"])).quantize(Decimal("1e-10"))
        record = {
            "request_id": request_id,
            "status": "pending" if first else "completed",
            "provider": "deepinfra",
            "model_usage": {
                "input_tokens": usage["prompt_tokens"],
                "output_tokens": usage["completion_tokens"],
                "total_tokens": usage["total_tokens"],
                "total_cost": str(total),
            },
            "cost": str(total),
        }
        self._json(200, record)

    def do_POST(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        self._counted = parts.path in (FORWARD_PATH, DIRECT_PATH)
        if self._counted:
            with fake.lock:
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            self._post(fake, parts)
        finally:
            self._leave(fake)

    def _leave(self, fake: FakeGateway) -> None:
        """This chat request no longer counts as in flight: called before the bytes that let the client finish
        (the last event, or a whole JSON answer), so its next request can never look concurrent with this one."""
        if getattr(self, "_counted", False):
            self._counted = False
            with fake.lock:
                fake.in_flight -= 1

    def _post(self, fake: FakeGateway, parts: Any) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        bearer = self.bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        entry: dict[str, Any] = {
            "path": parts.path,
            "query": parse_qs(parts.query),
            "headers": dict(self.headers),
            "peer": self.client_address[1],
        }  # the client's port: one per connection
        fake.log(entry)
        self.request_id = entry["id"]
        if parts.path == FORWARD_PATH:
            target = parse_qs(parts.query).get("u", [""])
            if target != [fake.expected_target]:
                return self._json(400, {"error": {"message": f"unexpected target {target!r}"}})
            if not self._lava_credential_ok(fake, bearer, entry):
                return self._json(401, ERRORS["401"][1])
        elif parts.path == DIRECT_PATH:
            if fake.deepinfra_key is None or bearer != fake.deepinfra_key:
                return self._json(401, {"detail": {"error": "Invalid or missing API key"}})
        else:
            return self._json(404, {"error": {"message": f"no route {parts.path}"}})
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return self._json(400, {"error": "body is not JSON"})
        entry["body"] = body
        problems = _body_problems(body)
        if problems:
            return self._json(422, {"detail": [{"loc": ["body", name], "msg": msg} for name, msg in problems]})
        self._reply(fake, body)

    def _lava_credential_ok(self, fake: FakeGateway, bearer: str, entry: dict[str, Any]) -> bool:
        if bearer and bearer in fake.forward_tokens:
            return True
        try:
            token = decode_forward_token(bearer)
        except ValueError:
            return False
        entry["token"] = token
        if fake.secret_key is None or token.get("secret_key") != fake.secret_key:
            return False
        return all(token.get(name) == value for name, value in (fake.token_fields or {}).items())

    def _reply(self, fake: FakeGateway, body: dict[str, Any]) -> None:
        model = body["model"]
        with fake.lock:
            fake.chat_requests += 1
            limited = fake.rate_limit_next > 0
            fake.rate_limit_next -= limited
            broke = fake.payment_after is not None and fake.chat_requests > fake.payment_after
        if limited:
            return self._json(429, ERRORS["429"][1], fake.retry_after)
        if broke:
            return self._json(*ERRORS["402"])
        prompt = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        directives = dict(DIRECTIVE.findall(f"{model} {prompt}"))
        for name, status in ONCE.items():
            if name in directives:
                with fake.lock:
                    fake.attempts[name] += 1
                    first = fake.attempts[name] == 1
                if first:
                    retry_after = fake.retry_after if status == 429 else None
                    return self._json(status, {"error": {"message": f"try again ({name})"}}, retry_after)
        for name, (status, error) in ERRORS.items():
            if name in directives:
                return self._json(status, error, fake.retry_after if status == 429 else None)
        if "echo401" in directives:
            return self._json(401, {"error": {"message": f"Rejected credential Bearer {self.bearer[:24]}…"}})
        if "mdinject" in directives:
            said = "![x](http://evil.example/p.png) [Session expired, log in](http://evil.example) <b>bold</b>"
            return self._json(400, {"error": {"message": said}})
        if "deep500" in directives:
            return self._json(500, DEEP_JSON)
        profile = fake.profiles.get(model)
        delay = fake.model_delays.get(model, 0.0) + (profile.delay_s if profile else 0.0)
        time.sleep(float(directives.get("delay") or 0) + delay)
        if "slow" in directives:
            time.sleep(fake.slow_s)
        reply = _Reply(model, DIRECTIVE.sub("", prompt).strip(), body, directives, profile)
        if fake.usage_for is not None:
            reply.reported = fake.usage_for(prompt, reply.usage())
        with fake.lock:
            fake.sent[self.request_id] = {"model": model, "usage": reply.usage(), "prompt": prompt}
        if not body.get("stream") or "json" in directives:
            return self._json(200, DEEP_JSON if "deep" in directives else reply.completion(), request_id=True)
        self._stream(fake, reply, directives)

    def _stream(self, fake: FakeGateway, reply: _Reply, directives: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-lava-request-id", self.request_id)
        self.end_headers()
        events = list(reply.events())
        chunk_delay = float(directives.get("chunk_delay") or 0)
        if {"endless", "keepalive"} & directives.keys():
            return self._unending(fake, reply, "endless" in directives)
        for number, event in enumerate(events):
            if number == 4 and MIDWAY & directives.keys():
                if "eof" in directives:
                    break
                if "stall" in directives:
                    self._send(b": keep-alive\n\n")
                    time.sleep(fake.slow_s)
                elif "malformed" in directives:
                    self._send(b'data: {"choices": [{"delta": {"content": "oops"\n\n')
                elif "deep" in directives:
                    self._send(b"data: " + DEEP_JSON.encode() + b"\n\n")
                elif "miderror" in directives:
                    self._send(b'data: {"error": {"message": "model overloaded mid-reply"}}\n\n')
                elif "echoerror" in directives:
                    said = "x" * 245 + f" while forwarding Authorization: Bearer {self.bearer}"
                    self._send(b"data: " + json.dumps({"error": {"message": said}}).encode() + b"\n\n")
                self.close_connection = True
                return  # without the terminating chunk: a cut connection
            if number == len(events) - 1 and "nodone" in directives:
                break
            if number == len(events) - 1:
                self._leave(fake)
            if "split" in directives:
                self._send_split(event)
            else:
                self._send(event)
            if chunk_delay:
                time.sleep(chunk_delay)
        self._send(b"")
        with fake.lock:
            fake.finished[self.request_id] = time.monotonic()

    def _unending(self, fake: FakeGateway, reply: _Reply, content: bool) -> None:
        """Chunks (or only keep-alive comments) every 20 ms for `slow_s` seconds, then a proper end."""
        for event in list(reply.events())[:3]:
            self._send(event)
        ends = time.monotonic() + fake.slow_s
        try:
            while time.monotonic() < ends:
                self._send(reply.piece_event("more ") if content else b": keep-alive\n\n")
                time.sleep(0.02)
            for event in list(reply.events())[-3:]:
                self._send(event)
            self._send(b"")
        except OSError:
            self.close_connection = True  # the client hung up, as it should past its limits

    def _send(self, data: bytes) -> None:
        """One HTTP chunk (empty = the end of the body)."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _send_split(self, data: bytes) -> None:
        sizes, start = (1, 2, 3, 5, 8, 13), 0
        for number in range(len(data)):
            if start >= len(data):
                break
            end = start + sizes[number % len(sizes)]
            self._send(data[start:end])
            start = end
            time.sleep(0.0005)

    def _json(self, status: int, payload: Any, retry_after: str | None = None, request_id: bool = False) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        if request_id or status >= 400:
            self.send_header("x-lava-request-id", self.request_id)
        self._leave(self.server.fake)  # type: ignore[attr-defined]
        self.end_headers()
        self.wfile.write(data)


def _body_problems(body: Any) -> list[tuple[str, str]]:
    """What DeepInfra would reject in a chat body, as (field, message) pairs."""
    if not isinstance(body, dict):
        return [("body", "must be an object")]
    problems = [(name, "unknown field") for name in body if name not in BODY_FIELDS]
    if not isinstance(body.get("model"), str) or not body["model"]:
        problems.append(("model", "required"))
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append(("messages", "required, non-empty"))
    elif not all(isinstance(m, dict) and m.get("role") in ("system", "user", "assistant") for m in messages):
        problems.append(("messages", "each needs a role of system, user or assistant"))
    elif not all(isinstance(m.get("content"), str) for m in messages):
        problems.append(("messages", "each needs text content"))
    if not isinstance(body.get("stream"), bool):
        problems.append(("stream", "must be a boolean"))
    elif body["stream"] and body.get("stream_options") != {"include_usage": True}:
        problems.append(("stream_options", "must ask for usage when streaming"))
    if not 0 <= body.get("temperature", 1) <= 2:
        problems.append(("temperature", "must be between 0 and 2"))
    if not 0 < body.get("top_p", 1) <= 1:
        problems.append(("top_p", "must be in (0, 1]"))
    if "max_tokens" in body and not (isinstance(body["max_tokens"], int) and body["max_tokens"] > 0):
        problems.append(("max_tokens", "must be a positive integer"))
    stop = body.get("stop", [])
    if not isinstance(stop, list) or len(stop) > 4 or not all(isinstance(s, str) for s in stop):
        problems.append(("stop", "up to 4 strings"))
    return problems


class _Reply:
    """The reply a fake model gives: its pieces, as SSE events or one JSON completion."""

    def __init__(
        self, model: str, prompt: str, body: dict[str, Any], directives: dict[str, str], profile: Profile | None = None
    ) -> None:
        self.model = model
        self.reasoning_tokens: int | None = None
        if profile is not None:
            self.pieces = [f"w{number} " for number in range(profile.words)]
        elif "chunks" in directives:
            self.pieces = [f"{number} " for number in range(int(directives["chunks"]))]
        elif "huge" in directives:
            self.pieces = ["Here: ", "h" * int(directives["huge"])]
        else:
            text = f"**{model}** says hello — café, naïve ✓. You wrote: {prompt}"
            self.pieces = re.findall(r"\S*\s*", text)[:-1] or [""]
        reasoning = "reasoning" in directives or "R1" in model
        self.thoughts = ["Let me think ", "about this… ", "done."] if reasoning else []
        if profile is not None:
            self.thoughts = ["t "] * profile.reasoning_tokens
            self.reasoning_tokens = profile.reasoning_tokens or None  # a model that does not reason reports none
        self.prompt_tokens = sum(len(str(m["content"]).split()) + 3 for m in body["messages"])
        self.completion_tokens = len(self.pieces) + len(self.thoughts)
        self.estimate = "noestimate" not in directives
        self.reported: dict[str, Any] | None = None

    def usage(self) -> dict[str, Any]:
        if self.reported is not None:
            return self.reported
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }
        if self.reasoning_tokens is not None:
            usage["completion_tokens_details"] = {"reasoning_tokens": self.reasoning_tokens}
        if self.estimate:
            usage["estimated_cost"] = round((self.prompt_tokens + self.completion_tokens) * ESTIMATED_USD_PER_TOKEN, 10)
        return usage

    def events(self) -> Iterator[bytes]:
        yield b": keep-alive\n\n"
        yield self._event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for thought in self.thoughts:
            yield self._event([{"index": 0, "delta": {"reasoning_content": thought}, "finish_reason": None}])
        for number, piece in enumerate(self.pieces):
            if number == 3:
                yield b": keep-alive\n\n"
            yield self._event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
        yield self._event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        yield self._event([], usage=self.usage())
        yield b"data: [DONE]\n\n"

    def piece_event(self, piece: str) -> bytes:
        return self._event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])

    def _event(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": self.model, "choices": choices}
        if usage is not None:
            chunk["usage"] = usage
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"

    def completion(self) -> dict[str, Any]:
        message = {"role": "assistant", "content": "".join(self.pieces)}
        if self.thoughts:
            message["reasoning_content"] = "".join(self.thoughts)
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": self.usage(),
        }


def main() -> None:
    """Serve a fake gateway in its own process (for the benchmark): prints its URL, runs until killed."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--token", action="append", default=[], help="an opaque forward token to accept")
    parser.add_argument("--delay", action="append", default=[], metavar="MODEL=SECONDS", help="first-byte delay")
    args = parser.parse_args()
    delays = {model: float(seconds) for model, _, seconds in (item.rpartition("=") for item in args.delay)}
    with running_fake(forward_tokens=set(args.token), model_delays=delays) as fake:
        print(fake.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
