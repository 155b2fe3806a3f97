"""Names short enough for a phone's pinned column that still tell every model apart.

Cutting the end of a name loses what tells neighbours apart ("Meta-Llama-3.1-8B-I…" is both the Turbo and the
plain 8B); so a long name drops words every instruct model shares, then whole words from its middle, keeping its
first word and as many whole words of its end as fit ("Meta…3.1-8B-Turbo"): a cut falls at a separator, so no
word is halved after the "…" and no "…." appears. Where two models would still read the same, each keeps more of
its end (its first word shortened to make room), then its whole name, then its whole id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters a phone's pinned name column holds (10rem at 13px: about 21 of a model name's, 18 of the widest).
PHONE_CHARS = 20
#: Words nearly every chat model's name carries, which tell nothing apart.
NOISE_WORDS = frozenset({"instruct", "it", "chat", "hf"})
_WORD = re.compile(r"[^-_ ]+|[-_ ]+")  # words and the separators between them, alternating; cannot backtrack
_SEPARATORS = "-_ "
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


def elided(name: str, limit: int, head: int | None = None) -> str:
    """`name` within `limit` characters: its first word, "…", then as many whole words of its end as fit. The
    first word is whole when it takes at most half the room, else cut to a third; `head` cuts it to that many
    characters instead, leaving more room for the end. A last word longer than the room keeps its end."""
    if len(name) <= limit:
        return name
    parts = _WORD.findall(name)
    first = parts[0]
    if head is None:
        head = len(first) if len(first) <= limit // 2 else limit // 3
    first = first[:head].rstrip("._")
    room = max(limit - 1 - len(first), 1)
    tail = ""
    for start in range(len(parts) - 1, 0, -1):  # the longest run of whole words from the end that fits
        candidate = "".join(parts[start:])
        if len(candidate) > room:
            break
        if parts[start][0].isalnum():  # a word, not a separator nor ".5": never "…." nor "…-"
            tail = candidate
    if not tail:  # one long last word: its end, from a letter or digit
        end = parts[-1][-room:]
        tail = end[next((at for at, char in enumerate(end) if char.isalnum()), 0) :]
    return f"{first}{ELLIPSIS}{tail}"


def _candidates(model: str, limit: int) -> list[str]:
    """A model's phone names, shortest first, each telling more of it: more of its end, then its whole name (the
    noise words dropped), then its whole id."""
    base = base_name(model)
    found = [elided(base, limit), elided(base, limit, head=3), elided(base, limit, head=0)]
    room = limit + 4
    while room < len(base):
        found.append(elided(base, room))
        room += 4
    found += [base, model]
    return list(dict.fromkeys(found))


def phone_names(models: Iterable[str], limit: int = PHONE_CHARS) -> dict[str, str]:
    """Each distinct id's phone name; no two distinct ids share one (more of the end, then the whole id, decides)."""
    ids = list(dict.fromkeys(models))
    choices = {model: _candidates(model, limit) for model in ids}
    step = dict.fromkeys(ids, 0)
    while True:
        groups: dict[str, list[str]] = {}
        for model in ids:
            groups.setdefault(choices[model][step[model]], []).append(model)
        clashes = [group for group in groups.values() if len(group) > 1]
        if not clashes:
            return {model: choices[model][step[model]] for model in ids}
        for group in clashes:
            for model in group:
                if step[model] < len(choices[model]) - 1:
                    step[model] += 1  # at its whole id already: the others of the group move
