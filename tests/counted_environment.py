"""The process environment, counting how often each setting is looked up: how tests see it is read once."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any


class CountedEnvironment(dict[str, str]):
    """The environment as `read_settings` reads it (`get`), counting each name it looks up."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.reads: Counter[str] = Counter()

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        self.reads[name] += 1
        return super().get(name, default)


def counted_environment(monkeypatch: Any, **values: str) -> CountedEnvironment:
    """Replace `os.environ` (for this test) by a counted copy of it, with `values` set."""
    environ = CountedEnvironment({**os.environ, **values})
    monkeypatch.setattr(os, "environ", environ)
    return environ
