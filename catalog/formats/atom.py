"""An Atom feed of price changes (RFC 4287), so a feed reader, Slack or an email bridge can notify people.

One entry per change, its id stable (the same change always has the same id, so a reader never shows it
twice) and dated the day the change happened, not the day the feed was written. Every text is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from catalog.costs import price_text
from catalog.history.ranges import Change

#: The feed's own id; entry ids are tag URIs under the same name (RFC 4151).
FEED_ID = "tag:llm-price-catalog,2026:changes"


def entry_id(change: Change) -> str:
    """A stable id for one change: who, what and when, percent-encoded into a tag URI."""
    what = "/".join(quote(part, safe="") for part in (change.provider, change.model, change.change))
    return f"tag:llm-price-catalog,{change.date.isoformat()}:{what}"


def change_title(change: Change) -> str:
    """`DeepInfra: zai-org/GLM-5.2 input $1.40 → $1.20, output $4.40 → $4.00 per 1M tokens`."""
    moves = [
        f"{side} {_price(old)} → {_price(new)}"
        for side, old, new in (
            ("input", change.old_input, change.new_input),
            ("output", change.old_output, change.new_output),
        )
        if old != new
    ]
    return f"{change.provider}: {change.model} {', '.join(moves)} per 1M tokens"


def _price(value: float | None) -> str:
    return "unknown" if value is None else price_text(value)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def changes_feed(changes: Sequence[Change], updated: dt.date, link_of: dict[tuple[str, str], str]) -> str:
    """The feed's XML of the price changes among `changes` (a model added or removed is not a price change),
    newest first; `link_of` gives each (provider, model) its model file's address."""
    changes = [change for change in changes if change.change == "price"]
    newest = max((change.date for change in changes), default=updated)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "  <title>LLM price changes</title>",
        f"  <id>{FEED_ID}</id>",
        f"  <updated>{_stamp(newest)}</updated>",
        "  <author><name>LLM price catalog</name></author>",
        '  <link rel="self" href="changes.atom"/>',
    ]
    for change in sorted(changes, key=lambda c: (c.date, c.provider, c.model), reverse=True):
        title = escape(change_title(change))
        link = link_of.get((change.provider, change.model))
        lines += [
            "  <entry>",
            f"    <id>{escape(entry_id(change))}</id>",
            f"    <title>{title}</title>",
            f"    <updated>{_stamp(change.date)}</updated>",
            f"    <published>{_stamp(change.date)}</published>",
            *([f"    <link href={quoteattr(link)}/>"] if link else []),
            f'    <content type="text">{title}</content>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
