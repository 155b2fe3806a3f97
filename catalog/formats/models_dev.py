"""models.dev's layout: a TOML file per provider and per model, `providers/<provider>/models/<model id>.toml`.

models.dev's schema requires a context window and an output limit for every model, so a model whose
limits nobody cited is left out (and named), never written with a made-up window. It also requires a
release date, which no price page gives: both `release_date` and `last_updated` are the day the page was
read, the earliest day the catalog can vouch for. `open_weights` is true for an id in Hugging Face's
`org/name` form, the weights a host like DeepInfra serves.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.enrich import model_key
from catalog.formats.files import safe_path, safe_segment
from catalog.formats.litellm import litellm_provider
from catalog.json_text import SHOWN_DEPTH, NestingError, too_deep_at
from catalog.known_context import CAPABILITIES, KnownLimits
from catalog.limits import limits_of
from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.sources import public_source


@dataclass(frozen=True, slots=True)
class ModelsDevTree:
    """The files to write (relative path → TOML text) and the models left out for want of limits, with why."""

    files: dict[str, str]
    skipped: tuple[tuple[ModelRecord, str], ...]


def toml_value(value: Any) -> str:
    """A TOML value: JSON's string escapes are TOML's, and so are its numbers, booleans and arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=True)


def toml_document(top: dict[str, Any]) -> str:
    """A flat TOML document: plain keys first, then one `[table]` per nested dict."""
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items() if not isinstance(value, dict)]
    for key, table in top.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]", *(f"{name} = {toml_value(value)}" for name, value in table.items())]
    return "\n".join(lines) + "\n"


def missing_limit(limits: KnownLimits | None) -> str | None:
    """Why models.dev cannot list a model (its schema requires both limits), or None when it can."""
    if limits is None or limits.context_window is None:
        return "its context window is unknown"
    if limits.max_output_tokens is None:
        return "its longest output is unknown (models.dev requires limit.output; none is guessed)"
    return None


def model_toml(record: ModelRecord, day: dt.date) -> str | None:
    """One model's TOML, or None where its context window or output limit is unknown."""
    limits = limits_of(record)
    if limits is None or missing_limit(limits) is not None:
        return None
    vision = "vision" in limits.capabilities
    return toml_document(
        {
            "name": record.display_name or record.model,
            "attachment": vision,
            "reasoning": "reasoning" in record.tags,
            "temperature": True,
            "tool_call": "tools" in limits.capabilities,
            "release_date": day.isoformat(),
            "last_updated": day.isoformat(),
            "open_weights": "/" in record.model,
            "cost": {"input": record.input_usd_per_mtok, "output": record.output_usd_per_mtok},
            "limit": {"context": limits.context_window, "output": limits.max_output_tokens},
            "modalities": {"input": ["text", "image"] if vision else ["text"], "output": ["text"]},
        }
    )


def to_models_dev(models: Catalog, day: dt.date) -> ModelsDevTree:
    """Every provider and model of the catalog in models.dev's layout."""
    files, skipped = {}, []
    for info in models.providers:
        folder = safe_segment(litellm_provider(info.name))
        provider: dict[str, Any] = {
            "name": info.name,
            "env": [f"{folder.upper().replace('-', '_')}_API_KEY"],
            "npm": "@ai-sdk/openai-compatible",
            "api": _api(info.target_url),
            "doc": public_source(info.source) or "",
        }
        files[f"providers/{folder}/provider.toml"] = toml_document(provider)
        for record in sold_by(models.models, info.name):
            text = model_toml(record, day)
            if text is None:
                skipped.append((record, missing_limit(limits_of(record)) or "its limits are unknown"))
            else:
                files[f"providers/{folder}/models/{safe_path(*record.model.split('/'))}.toml"] = text
    return ModelsDevTree(files, tuple(skipped))


def sold_by(records: Iterable[ModelRecord], provider: str) -> list[ModelRecord]:
    """The models one provider sells, in page order."""
    return [record for record in records if record.provider == provider]


def _api(target_url: str | None) -> str:
    """The OpenAI-compatible base URL (`…/v1`) from the page's chat target URL."""
    if not target_url:
        return ""
    base, found, _ = target_url.partition("/chat/completions")
    return base if found else target_url


#: The operator's setting naming a models.dev checkout, read for limits the cited table lacks.
MODELS_DEV_VARIABLE = "CATALOG_MODELS_DEV"
#: Most model files read from a checkout (models.dev holds a few thousand).
MAX_LIMIT_FILES = 20_000


def load_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, with nesting past `SHOWN_DEPTH` levels a `NestingError` naming the line: never a
    `RecursionError` (`[` × 50,000), nor the memory tomllib takes for a long dotted key, which grows with the
    square of its parts (10,000 parts took 400 MB; a 200 KB file of 100,000 was killed past 40 GB)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.partition("=")[0].count(".") >= SHOWN_DEPTH:  # a key (or a table header) of more parts than that
            raise NestingError(number)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise NestingError(too_deep_at(text)) from None


#: A models.dev model file is about a kilobyte: the most one read takes; a larger file is skipped like one that
#: does not parse, before it is read whole.
MAX_TOML_BYTES = 256 * 1024


def read_toml_file(path: Path) -> dict[str, Any]:
    """A models.dev file: `load_toml` of its text, read only up to `MAX_TOML_BYTES` (a `TOMLDecodeError` past it)."""
    with path.open("rb") as file:
        data = file.read(MAX_TOML_BYTES + 1)
    if len(data) > MAX_TOML_BYTES:
        raise tomllib.TOMLDecodeError(f"{path.name} is larger than {MAX_TOML_BYTES:,} bytes, not a model file")
    return load_toml(data.decode("utf-8"))


def read_models_dev_limits(folder: Path) -> dict[str, KnownLimits]:
    """Context windows, output limits and capabilities from a models.dev checkout, by `model_key`.

    The first provider (in name order) that states a model's window gives it; each value's source names the
    file it was read from. A file that does not parse, or states no window, is skipped; one nested too deeply
    to parse is a `CatalogError` naming it and the line.
    """
    root = folder / "providers" if (folder / "providers").is_dir() else folder
    if not root.is_dir():
        raise CatalogError(f"{folder}: not a folder, so not a models.dev checkout")
    limits: dict[str, KnownLimits] = {}
    for count, path in enumerate(sorted(root.glob("*/models/**/*.toml")), start=1):
        if count > MAX_LIMIT_FILES:
            break
        try:
            model = read_toml_file(path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        except NestingError as error:
            raise CatalogError(f"{path}: {error}") from None
        relative = path.relative_to(root).with_suffix("")  # <provider>/models/<model id, maybe with a />
        found = _limits(model, f"models.dev: {path.relative_to(root.parent).as_posix()}")
        if found is not None:
            limits.setdefault(model_key("/".join(relative.parts[2:])), found)
    return limits


def _limits(model: dict[str, Any], source: str) -> KnownLimits | None:
    limit = model.get("limit")
    if not isinstance(limit, dict):
        return None
    context, output = (_tokens(limit.get(name)) for name in ("context", "output"))
    if context is None:
        return None
    modalities = model.get("modalities")
    inputs = modalities.get("input") if isinstance(modalities, dict) else None
    tags = {
        "tools": model.get("tool_call") is True or (isinstance(model.get("tool_call"), dict)
                                                     and model["tool_call"].get("supported") is True),
        "vision": isinstance(inputs, list) and "image" in inputs,
        "json_mode": False,  # models.dev does not say
    }  # fmt: skip
    return KnownLimits(context, output, tuple(name for name in CAPABILITIES if tags[name]), source)


def _tokens(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100_000_000 else None
