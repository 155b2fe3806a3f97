"""Checking stored answers: 10,000 answers × every non-judge check type, against a bare `in` scan of the same.

Run: python bench/bench_checks.py [--repeat N] [--answers N]
The target (issue 19): checking 10,000 stored answers with every non-judge check type takes under 1 s. The
reference is the least work that still looks at every answer once per check (`value in answer`), measured in
the same run, so the ratio holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.runs.checks import parse_checks, run_checks  # noqa: E402

CHECKS = parse_checks(
    [
        {"type": "equals", "value": "Paris"},
        {"type": "contains", "value": "Paris"},
        {"type": "icontains", "value": "paris"},
        {"type": "not_contains", "value": "sorry"},
        {"type": "starts_with", "value": "The"},
        {"type": "regex", "value": r"\b[A-Z][a-z]+\b"},
        {"type": "is_json"},
        {"type": "contains_json"},
        {"type": "json_schema", "value": {"type": "object", "required": ["city"]}},
        {"type": "max_words", "value": 50},
        {"type": "max_chars", "value": 300},
    ]
)


def answers(count: int, seed: int = 3) -> list[str]:
    """Answers shaped like real ones: prose, JSON, fenced JSON, prose around JSON, ~40–400 characters."""
    rng = random.Random(seed)
    words = "the capital of France is Paris and it has been since the tenth century sorry no".split()
    shapes = [
        lambda: " ".join(rng.choice(words) for _ in range(rng.randint(5, 60))),
        lambda: '{"city": "Paris", "country": "France", "population": %d}' % rng.randint(1, 10**7),
        lambda: '```json\n{"city": "Paris", "note": "%s"}\n```' % " ".join(rng.choice(words) for _ in range(8)),
        lambda: 'Sure! Here it is: {"city": "Paris"} Hope that helps.',
    ]
    return [rng.choice(shapes)() for _ in range(count)]


def check_all(texts: list[str]) -> int:
    return sum(1 for text in texts for result in run_checks(CHECKS, text) if result.passed)


def bare_scan(texts: list[str]) -> int:
    values = ["Paris"] * len(CHECKS)
    return sum(1 for text in texts for value in values if value in text)


def median_seconds(function: object, texts: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(texts)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--answers", type=int, default=10_000)
    args = parser.parse_args()
    texts = answers(args.answers)
    ours, bare = [], []
    for _ in range(args.repeat):  # alternate, so drift hits both
        ours.append(median_seconds(check_all, texts, 1))
        bare.append(median_seconds(bare_scan, texts, 1))
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    python = sys.version.split()[0]
    print(f"median of {args.repeat} runs, {args.answers:,} answers × {len(CHECKS)} checks, Python {python}")
    print(f"every non-judge check   {ours_s * 1000:9.1f} ms   ({ours_s / args.answers * 1e6:.1f} µs an answer)")
    print(f"bare `in` scan          {bare_s * 1000:9.1f} ms")
    print(f"ratio                   {ours_s / bare_s:9.1f}×   target: under 1 s for 10,000 answers -> ", end="")
    print("met" if ours_s * 10_000 / args.answers < 1 else "MISSED")


if __name__ == "__main__":
    main()
