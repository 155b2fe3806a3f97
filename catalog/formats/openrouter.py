"""OpenRouter's `/api/v1/models` shape: prices as decimal strings, USD per token, and every field its SDK requires.

OpenRouter's official SDK (`openrouter`, pydantic models) validates a `ModelsListResponse`: each model needs
its architecture, canonical slug, context length, creation time, links and limits. Where the page and the
cited limits table are silent, the schema's own nulls say so (`context_length: null`), never a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from catalog.formats.per_token import per_token, plain
from catalog.known_context import KnownLimits
from catalog.limits import limits_of
from catalog.records import ModelRecord
from catalog.sources import public_source

#: The parameters every chat model behind Lava's OpenAI-compatible endpoints takes.
BASE_PARAMETERS = ("max_tokens", "temperature", "top_p", "stop", "frequency_penalty", "presence_penalty", "seed")


def to_openrouter(records: Iterable[ModelRecord], created: dt.date | None = None) -> dict[str, Any]:
    """A document in the shape of OpenRouter's `/api/v1/models`, for models first seen on `created`."""
    stamp = calendar.timegm(created.timetuple()) if created else 0
    data = [openrouter_model(record, limits_of(record), stamp) for record in records]
    return {"data": data, "total_count": len(data), "links": {"next": None}}


def openrouter_model(record: ModelRecord, limits: KnownLimits | None, created: int) -> dict[str, Any]:
    """One model as OpenRouter lists it."""
    capabilities = limits.capabilities if limits else ()
    context = limits.context_window if limits else None
    inputs = ["text", "image"] if "vision" in capabilities else ["text"]
    return {
        "id": record.model,
        "canonical_slug": record.model,
        "hugging_face_id": record.model if "/" in record.model else None,
        "name": record.display_name or record.model,
        "provider": record.provider,
        "created": created,
        "context_length": context,
        "architecture": {
            "modality": f"{'+'.join(inputs)}->text",
            "input_modalities": inputs,
            "output_modalities": ["text"],
            "tokenizer": None,
            "instruct_type": None,
        },
        "pricing": {
            "prompt": plain(per_token(record.input_usd_per_mtok)),
            "completion": plain(per_token(record.output_usd_per_mtok)),
        },
        "top_provider": {
            "is_moderated": False,
            "context_length": context,
            "max_completion_tokens": limits.max_output_tokens if limits else None,
        },
        "per_request_limits": None,
        "supported_parameters": supported_parameters(record, capabilities),
        "default_parameters": None,
        "supported_voices": None,
        "links": {"details": f"{source}#L{record.source_line}" if (source := public_source(record.source)) else ""},
    }


def supported_parameters(record: ModelRecord, capabilities: tuple[str, ...]) -> list[str]:
    """The request parameters a model takes: the common ones, plus tools, JSON mode and reasoning where known."""
    parameters = list(BASE_PARAMETERS)
    if "tools" in capabilities:
        parameters += ["tools", "tool_choice"]
    if "json_mode" in capabilities:
        parameters.append("response_format")
    if "reasoning" in record.tags:
        parameters += ["reasoning", "include_reasoning"]
    return parameters
