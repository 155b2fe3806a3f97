"""Gateway client speed against the fake gateway (in its own process, on loopback), beside a bare httpx loop.

Run: python bench/bench_playground.py [--repeat N]
Measures, in this one run: throughput and time to first token over a 2,000-chunk stream (client vs bare
`httpx` + `iter_lines` + `json.loads`), side by side with 4 models of different delays against the slowest
alone, and 20 concurrent streams checked chunk by chunk. Figures are medians of N rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.gateway.client import GatewayClient  # noqa: E402
from catalog.gateway.config import resolve_config  # noqa: E402
from catalog.gateway.messages import ChatParams, ChatRequest, Message  # noqa: E402
from catalog.gateway.side_by_side import run_side_by_side  # noqa: E402
from catalog.records import ModelRecord  # noqa: E402

TOKEN = "fwd_tok_bench"
TARGET = "https://api.deepinfra.com/v1/openai/chat/completions"
CHUNKS = 2000
DELAYS = {"bench/delay-0.1": 0.1, "bench/delay-0.2": 0.2, "bench/delay-0.3": 0.3, "bench/delay-0.4": 0.4}
EXPECTED = "".join(f"{number} " for number in range(CHUNKS))


def record(model: str) -> ModelRecord:
    return ModelRecord("DeepInfra", model, "bench", 0.1, 0.4, 0.175, None, None, (), 1)


def chat(model: str, prompt: str) -> ChatRequest:
    return ChatRequest(record(model), TARGET, (Message("user", prompt),), ChatParams(max_tokens=4096))


@contextmanager
def fake_server() -> Iterator[str]:
    """The fake gateway in a child process, so it does not share this process's GIL."""
    delays = [f"--delay={model}={seconds}" for model, seconds in DELAYS.items()]
    command = [sys.executable, str(ROOT / "tests" / "fake_gateway.py"), f"--token={TOKEN}", *delays]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close() if process.stdout else None


def bare_stream(http: httpx.Client, url: str, request: ChatRequest) -> tuple[float, float, str]:
    """The least work that reads the same stream: iter_lines, json.loads, pick the content."""
    started = time.perf_counter()
    first = 0.0
    parts = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    params = {"u": TARGET}
    with http.stream("POST", f"{url}/v1/forward", params=params, json=request.body(stream=True), headers=headers) as r:
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            choices = json.loads(line[6:])["choices"]
            if choices and (content := choices[0]["delta"].get("content")):
                if not parts:
                    first = time.perf_counter() - started
                parts.append(content)
    return first, time.perf_counter() - started, "".join(parts)


def client_stream(client: GatewayClient, request: ChatRequest) -> tuple[float, float, str]:
    with client.stream(request) as reply:
        for _ in reply:
            pass
    result = reply.result
    assert result.complete and result.ttft_s is not None, result.error
    return result.ttft_s, result.total_s, result.content


def medians(runs: list[tuple[float, float, str]]) -> tuple[float, float]:
    assert all(text == EXPECTED for _, _, text in runs), "a chunk was lost"
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def throughput(url: str, client: GatewayClient, repeat: int) -> list[str]:
    request = chat("bench/plain", f"!fake:chunks={CHUNKS}")
    bare: list[tuple[float, float, str]] = []
    ours: list[tuple[float, float, str]] = []
    with httpx.Client(timeout=30) as http:
        bare_stream(http, url, request), client_stream(client, request)  # warm connections and caches
        for round_number in range(repeat):  # interleaved A-B / B-A, so drift and order hit both alike
            if round_number % 2:
                ours.append(client_stream(client, request))
                bare.append(bare_stream(http, url, request))
            else:
                bare.append(bare_stream(http, url, request))
                ours.append(client_stream(client, request))
    (bare_ttft, bare_total), (our_ttft, our_total) = medians(bare), medians(ours)
    # Ratios of each interleaved pair, then their median: steadier than a ratio of medians on a busy machine.
    ratio = statistics.median(b[1] / o[1] for b, o in zip(bare, ours, strict=True))
    added_ms = statistics.median(o[0] - b[0] for b, o in zip(bare, ours, strict=True)) * 1000
    return [
        f"{'2,000-chunk stream':<28}{'TTFT ms':>10}{'total ms':>10}{'chunks/s':>12}",
        f"{'  bare httpx loop':<28}{bare_ttft * 1000:>10.2f}{bare_total * 1000:>10.1f}{CHUNKS / bare_total:>12,.0f}",
        f"{'  GatewayClient.stream':<28}{our_ttft * 1000:>10.2f}{our_total * 1000:>10.1f}{CHUNKS / our_total:>12,.0f}",
        f"  throughput ratio (client / bare): {ratio:.2f}x  (target >= 0.90)  {'OK' if ratio >= 0.9 else 'MISSED'}",
        f"  added time to first token: {added_ms:+.2f} ms  (target < 5 ms)  {'OK' if added_ms < 5 else 'MISSED'}",
    ]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def side_by_side(client: GatewayClient, repeat: int) -> list[str]:
    requests = [chat(model, "!fake:chunks=50") for model in DELAYS]
    slowest = requests[-1]
    alone, together = [], []
    for _ in range(repeat):
        alone.append(timed(lambda: client_stream_ok(client, slowest)))
        together.append(timed(lambda: check_all(run_side_by_side(client, requests))))
    alone_s, together_s = statistics.median(alone), statistics.median(together)
    ratio = together_s / alone_s
    return [
        "side by side, 4 models (first-byte delays 0.1 / 0.2 / 0.3 / 0.4 s)",
        f"  slowest alone: {alone_s * 1000:.0f} ms   all four at once: {together_s * 1000:.0f} ms   "
        f"ratio {ratio:.2f}x  (target <= 1.20)  {'OK' if ratio <= 1.2 else 'MISSED'}",
    ]


def client_stream_ok(client: GatewayClient, request: ChatRequest) -> None:
    with client.stream(request) as reply:
        for _ in reply:
            pass
    assert reply.result.complete


def check_all(results: list) -> None:
    assert all(result.complete for result in results), [result.error for result in results]


def concurrent(client: GatewayClient, streams: int = 20) -> list[str]:
    request = chat("bench/plain", f"!fake:chunks={CHUNKS}")
    texts: list[str] = [""] * streams

    def one(index: int) -> None:
        texts[index] = client_stream(client, request)[2]

    threads = [threading.Thread(target=one, args=(index,)) for index in range(streams)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    received = sum(len(text.split()) for text in texts)
    lost = streams * CHUNKS - received
    intact = sum(text == EXPECTED for text in texts)
    return [
        f"{streams} concurrent streams of {CHUNKS:,} chunks",
        f"  {received:,} chunks in {elapsed * 1000:.0f} ms ({received / elapsed:,.0f} chunks/s); "
        f"lost {lost}; streams intact {intact}/{streams}  {'OK' if lost == 0 and intact == streams else 'MISSED'}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31, help="rounds per figure (default 31)")
    args = parser.parse_args()
    with fake_server() as url:
        config = resolve_config({"LAVA_BASE_URL": url, "LAVA_FORWARD_TOKEN": TOKEN})
        assert config is not None
        with GatewayClient(config) as client:
            lines = throughput(url, client, args.repeat)
            lines += side_by_side(client, max(3, args.repeat // 3))
            lines += concurrent(client)
    print(f"bench_playground: medians of {args.repeat} rounds, fake gateway in a child process on {url}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
