"""Names short enough for a phone's pinned column that still tell every model apart.

Cutting the end of a name loses what tells neighbours apart ("Meta-Llama-3.1-8B-I…" is both the Turbo and the
plain 8B); so a long name drops words every instruct model shares, then its middle, keeping its first word and
its end, and where two models would still read the same, each keeps more of its end, up to its whole id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters a phone's pinned name column holds (9rem at 13px).
PHONE_CHARS = 18
#: Words nearly every chat model's name carries, which tell nothing apart.
NOISE_WORDS = frozenset({"instruct", "it", "chat", "hf"})
_WORD = re.compile(r"[^-_ ]+|[-_ ]+")  # words and the separators between them, alternating; cannot backtrack
ELLIPSIS = "…"


def base_name(model: str) -> str:
    """The id after its last `/`, without the noise words (kept when nothing else is left)."""
    name = model.rsplit("/", 1)[-1] or model
    parts = _WORD.findall(name)
    kept: list[str] = []
    for part in parts:
        if part.lower() in NOISE_WORDS:
            if kept and not kept[-1][0].isalnum():
                kept.pop()  # the separator before the dropped word
            continue
        if kept or part[0].isalnum():
            kept.append(part)
    text = "".join(kept).rstrip("-_ ")
    return text or name


def elided(name: str, limit: int) -> str:
    """`name` within `limit` characters: its first word (at most a third of the room), "…", then its end."""
    if len(name) <= limit:
        return name
    first: str = _WORD.findall(name)[0][: max(limit // 3, 1)]
    tail = max(limit - 1 - len(first), 1)
    return first + ELLIPSIS + name[-tail:]


def phone_names(models: Iterable[str], limit: int = PHONE_CHARS) -> dict[str, str]:
    """Each distinct id's phone name; no two distinct ids share one (more of the end, then the whole id, decides)."""
    ids = list(dict.fromkeys(models))
    base = {model: base_name(model) for model in ids}
    room = dict.fromkeys(ids, limit)
    names = {model: elided(base[model], limit) for model in ids}
    while True:
        groups: dict[str, list[str]] = {}
        for model, name in names.items():
            groups.setdefault(name, []).append(model)
        clashes = [group for group in groups.values() if len(group) > 1]
        if not clashes:
            return names
        for group in clashes:
            for model in group:
                if names[model] == model:
                    continue  # already its whole id: the others of the group move
                room[model] += 4
                longer = elided(base[model], room[model])
                names[model] = longer if longer != names[model] else model
