"""Write a generated provider page with many models, shaped like the embedded DeepInfra page."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from catalog.sources import DEFAULT_PAGE

VENDORS = ("meta-llama", "Qwen", "deepseek-ai", "google", "microsoft", "mistralai", "nvidia", "zai-org", "acme", "labs")
KINDS = ("Instruct", "Coder-Instruct", "Vision-Instruct", "Reasoning", "Instruct-Turbo", "it", "Guard", "Chat")


def generated_page(count: int, seed: int = 7) -> str:
    """The embedded page's text with its price table replaced by `count` generated models."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        size = rng.choice((1, 3, 7, 8, 14, 32, 70, 235, 405))
        model = f"{rng.choice(VENDORS)}/Model-{index:05d}-{size}B-{rng.choice(KINDS)}"
        price_in = round(rng.uniform(0.005, 2.0), 3)
        price_out = round(price_in * rng.uniform(1.0, 4.0), 3)
        rows.append(f"| {model} | \\${price_in} | \\${price_out} |")
    text = DEFAULT_PAGE.text()
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("| Model"))
    last = max(i for i, line in enumerate(lines) if line.startswith("| ") and "\\$" in line)
    body = "\n".join(lines[: first + 2] + rows + lines[last + 1 :])
    return re.sub(r"offers \d+ models", f"offers {count} models", body)


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(generated_page(int(sys.argv[2]) if len(sys.argv) > 2 else 5000), encoding="utf-8")
    print(target)
