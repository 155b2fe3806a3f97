"""Other price databases read as provider pages: a LiteLLM map, an OpenRouter models document, a models.dev folder.

Each is rendered as a page in Lava's own layout (a heading naming the source and its kind, a price table
in USD per 1M tokens written with the source's exact digits), so the snapshot and history machinery
records, diffs and reads it back like any provider page: one snapshot per source, marked by its kind in
the provider's name (`LiteLLM map`, `OpenRouter`, `models.dev: deepinfra`). An entry the table cannot
hold (no price, a negative or non-numeric one, an id with a control character or `|`) is left out and
counted on the page, never guessed.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from catalog import json_text
from catalog.formats.models_dev import read_toml_file
from catalog.formats.per_token import TOKENS_PER_MTOK, plain
from catalog.json_text import NestingError
from catalog.parser import MAX_USD_PER_MTOK, plain_number
from catalog.records import CatalogError, SourceError
from catalog.words import counted

Kind = Literal["litellm", "openrouter", "models-dev"]
#: The provider name each kind's page carries (models.dev's adds the provider's folder).
PROVIDER_NAMES: dict[Kind, str] = {"litellm": "LiteLLM map", "openrouter": "OpenRouter", "models-dev": "models.dev"}
#: What each kind is, as its page says where it was imported from.
KIND_NAMES: dict[Kind, str] = {
    "litellm": "LiteLLM price map",
    "openrouter": "OpenRouter models document",
    "models-dev": "models.dev folder",
}
#: An id a page's table can hold: printable ASCII without the table's `|` or the escape `\`, at most 200 long.
_SAFE_ID = re.compile(r"[!-{}~]{1,200}")
#: Most model files read from a models.dev folder.
MAX_MODEL_FILES = 20_000
#: Longest price written on an imported page (a page's cell holds 500 characters): real ones need a dozen.
MAX_PRICE_CHARS = 40
_MAX_USD_PER_MTOK = Decimal(MAX_USD_PER_MTOK)


@dataclass(frozen=True, slots=True)
class ImportedPage:
    """One rendered page: the provider name it records under, and its text."""

    provider: str
    text: str


def json_kind(data: Any) -> Kind | None:
    """Which document this is: OpenRouter's `{"data": [{..., "pricing": ...}]}`, LiteLLM's map, or neither."""
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        if any(isinstance(item, dict) and "pricing" in item for item in data["data"][:200]):
            return "openrouter"
    if isinstance(data, dict) and any(
        isinstance(entry, dict) and "input_cost_per_token" in entry for entry in list(data.values())[:200]
    ):
        return "litellm"
    return None


def folder_kind(path: Path) -> Kind | None:
    """A models.dev checkout (or its `providers/` folder) holds `<provider>/models/*.toml`."""
    return "models-dev" if any(_provider_folders(path)) else None


def _provider_folders(path: Path) -> Iterable[Path]:
    root = path / "providers" if (path / "providers").is_dir() else path
    return (child for child in sorted(root.iterdir()) if (child / "models").is_dir()) if root.is_dir() else ()


def _price(value: Any, per: Decimal = Decimal(1)) -> Decimal | None:
    """A price from JSON or TOML in USD per 1M tokens (`per`: how many of the source's units make 1M tokens), by the
    page parser's number rules: ASCII digits, finite, no sign, at most `MAX_USD_PER_MTOK` (checked before any
    arithmetic); None otherwise. `Decimal()` alone read `"١٢"` as 12 and `"1_0"` as 10."""
    number = plain_number(value)
    if number is None or number > _MAX_USD_PER_MTOK / per:
        return None
    return number * per


def _row(model: Any, input_usd: Decimal | None, output_usd: Decimal | None) -> tuple[str, str, str] | None:
    if not isinstance(model, str) or not _SAFE_ID.fullmatch(model) or input_usd is None or output_usd is None:
        return None
    prices = plain(input_usd), plain(output_usd)
    if max(len(price) for price in prices) > MAX_PRICE_CHARS:  # `1e-999`: no page cell holds a thousand zeros
        return None
    return model, *prices


def litellm_rows(data: Mapping[str, Any]) -> tuple[list[tuple[str, str, str]], int]:
    """Chat models of a LiteLLM map, keyed as the map keys them, per 1M tokens; and how many were left out."""
    rows, skipped = [], 0
    for key, entry in data.items():
        if not isinstance(entry, Mapping) or entry.get("mode", "chat") != "chat":
            continue  # `sample_spec`, embeddings, images: not priced per chat token
        row = _row(key, *(_price(entry.get(name), TOKENS_PER_MTOK) for name in ("input_cost_per_token",
                                                                                "output_cost_per_token")))  # fmt: skip
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return rows, skipped


def openrouter_rows(data: Mapping[str, Any]) -> tuple[list[tuple[str, str, str]], int]:
    """Models of an OpenRouter `/api/v1/models` document, per 1M tokens; and how many were left out."""
    rows, skipped = [], 0
    for item in data["data"]:
        pricing = item.get("pricing") if isinstance(item, Mapping) else None
        prices = [
            _price(pricing.get(side), TOKENS_PER_MTOK) if isinstance(pricing, Mapping) else None
            for side in ("prompt", "completion")
        ]
        row = _row(item.get("id") if isinstance(item, Mapping) else None, *prices)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return rows, skipped


def models_dev_rows(folder: Path) -> tuple[list[tuple[str, str, str]], int]:
    """One models.dev provider's models (`models/**/*.toml`, the id its path), per 1M tokens already."""
    rows, skipped = [], 0
    files = sorted((folder / "models").rglob("*.toml"))
    if len(files) > MAX_MODEL_FILES:
        raise CatalogError(f"{folder}: more than {MAX_MODEL_FILES:,} model files, not a models.dev provider")
    for path in files:
        try:
            model = read_toml_file(path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            skipped += 1
            continue
        except NestingError as error:
            raise SourceError(f"{path}: {error}") from None
        cost = model.get("cost")
        prices = [_price(cost.get(side)) if isinstance(cost, dict) else None for side in ("input", "output")]
        row = _row(path.relative_to(folder / "models").with_suffix("").as_posix(), *prices)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return rows, skipped


def render_page(provider: str, kind: Kind, source: str, rows: list[tuple[str, str, str]], skipped: int) -> str:
    """A page in Lava's layout that the catalog's parser reads: heading, a note of the source, the price table."""
    were = "was" if skipped == 1 else "were"
    left_out = f" {counted(skipped, 'entry')} without a usable price or id {were} left out." if skipped else ""
    width = max([len(model) for model, _, _ in rows] + [5])
    lines = [
        f"# {provider}",
        "",
        f"> Imported from a {KIND_NAMES[kind]} ({kind}): {_one_line(source)}.{left_out}",
        "",
        f"{provider} offers {len(rows)} models.",
        "",
        f"| {'Model'.ljust(width)} | Input / 1M tokens | Output / 1M tokens |",
        f"| {'-' * width} | ----------------- | ------------------ |",
        *(f"| {model.ljust(width)} | \\${input_usd} | \\${output_usd} |" for model, input_usd, output_usd in rows),
    ]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return "".join(char for char in text if char.isprintable() and char not in "|`")[:200]


def import_json(text: str, source: str) -> ImportedPage | None:
    """A LiteLLM map or an OpenRouter document as a page; None when the text is neither (a Lava page, say)."""
    try:
        data = json_text.loads(text)
    except json_text.NestingError as error:
        raise SourceError(f"{source}: {error}") from None
    except json.JSONDecodeError:
        return None
    kind = json_kind(data)
    if kind is None:
        return None
    rows, skipped = litellm_rows(data) if kind == "litellm" else openrouter_rows(data)
    name = PROVIDER_NAMES[kind]
    return ImportedPage(name, render_page(name, kind, source, rows, skipped))


def import_folder(folder: Path) -> list[ImportedPage]:
    """Every provider of a models.dev folder as its own page (`models.dev: <provider>`)."""
    pages = []
    for provider_folder in _provider_folders(folder):
        rows, skipped = models_dev_rows(provider_folder)
        name = f"{PROVIDER_NAMES['models-dev']}: {_one_line(provider_folder.name)}"
        pages.append(ImportedPage(name, render_page(name, "models-dev", str(provider_folder), rows, skipped)))
    return pages
