"""What a price page does not say but the host or the maker does: context windows, output limits, capabilities.

Lava's pages carry prices only, yet "at least 128k of context" and "calls tools" are what people filter on
next. Each entry is keyed by the id as DeepInfra sells it and cites where its figures were read: DeepInfra's
model page (`https://deepinfra.com/<id>`, the same figures DeepInfra's API reports and LiteLLM's map copies)
or, where the host says nothing, the maker's model card. A model missing here keeps an unknown context,
never a guess; an operator's LiteLLM map or models.dev checkout may fill it (`catalog.limits`, the lookup
everything else uses).

The window is matched by `model_key`, so every host's spelling of the same weights finds it, but a host's
`-Turbo`/`-FP8` serving is a different key: those are often served with a shorter window.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from catalog.enrich import model_key
from catalog.known_sizes import model_card
from catalog.records import ModelRecord

#: The capability tags a model may carry, in the order they are shown.
CAPABILITIES = ("tools", "vision", "json_mode")

DEEPINFRA = "https://deepinfra.com/"


@dataclass(frozen=True, slots=True)
class KnownLimits:
    """A model's context window and longest output in tokens, and its capability tags, with their source."""

    context_window: int | None
    max_output_tokens: int | None
    capabilities: tuple[str, ...]
    source: str
    #: Where one field came from when not `source`: a value the operator's map or checkout filled in.
    context_source: str | None = None
    output_source: str | None = None
    capabilities_source: str | None = None

    def source_of(self, field: Literal["context_window", "max_output_tokens", "capabilities"]) -> str:
        """Where one field's value came from."""
        found = {
            "context_window": self.context_source,
            "max_output_tokens": self.output_source,
            "capabilities": self.capabilities_source,
        }[field]
        return found or self.source


def _host(model: str, context: int, *capabilities: str) -> tuple[str, KnownLimits]:
    # DeepInfra states one figure, "max tokens", for the whole window, and a reply may fill what the prompt
    # leaves of it: the page's own figure for both, not a guess.
    return model, KnownLimits(context, context, capabilities, DEEPINFRA + model)


def _card(model: str, context: int, *capabilities: str, card: str) -> tuple[str, KnownLimits]:
    # A model card states the window only; the longest reply is whatever the window leaves.
    return model, KnownLimits(context, None, capabilities, model_card(card))


_TOOLS = "tools"
_VISION = "vision"

#: Context windows, output limits and capabilities by the id DeepInfra sells the model under.
KNOWN_LIMITS: dict[str, KnownLimits] = dict(
    [
        _host("zai-org/GLM-5.2", 1_048_576, _TOOLS, "json_mode"),
        _host("deepseek-ai/DeepSeek-R1-Turbo", 40_960, _TOOLS),
        _host("deepseek-ai/DeepSeek-R1-0528-Turbo", 32_768, _TOOLS),
        _host("deepseek-ai/DeepSeek-R1", 163_840, _TOOLS),
        _host("deepseek-ai/DeepSeek-R1-0528", 163_840, _TOOLS),
        _host("microsoft/WizardLM-2-8x22B", 65_536),
        _host("Qwen/Qwen3-Coder-480B-A35B-Instruct", 262_144, _TOOLS),
        _host("Qwen/Qwen3-Coder-480B-A35B-Instruct-Turbo", 262_144, _TOOLS),
        _host("Gryphe/MythoMax-L2-13b", 4_096, _TOOLS),
        _host("Qwen/Qwen2.5-72B-Instruct", 32_768, _TOOLS),
        _host("meta-llama/Llama-3.2-11B-Vision-Instruct", 131_072, _VISION),
        _host("deepseek-ai/DeepSeek-V3", 163_840, _TOOLS),
        _host("deepseek-ai/DeepSeek-V3.1-Terminus", 163_840, _TOOLS),
        _host("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", 131_072, _TOOLS),
        _host("Qwen/Qwen3-235B-A22B-Thinking-2507", 262_144, _TOOLS),
        _host("meta-llama/Llama-3.3-70B-Instruct", 131_072, _TOOLS),
        _host("deepseek-ai/DeepSeek-V3.1", 163_840, _TOOLS),
        _host("deepseek-ai/DeepSeek-V3-0324", 163_840, _TOOLS),
        _host("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", 131_072),
        _host("meta-llama/Llama-Guard-4-12B", 163_840),
        _host("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", 1_048_576, _TOOLS, _VISION),
        _host("Qwen/Qwen3-30B-A3B", 40_960, _TOOLS),
        _host("Qwen/Qwen3-14B", 40_960, _TOOLS),
        _host("Qwen/Qwen3-32B", 40_960, _TOOLS),
        _host("nvidia/Llama-3.3-Nemotron-Super-49B-v1.5", 131_072, _TOOLS),
        _host("meta-llama/Llama-3.3-70B-Instruct-Turbo", 131_072, _TOOLS),
        _host("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 131_072, _TOOLS),
        _host("Qwen/Qwen3-Next-80B-A3B-Instruct", 262_144, _TOOLS),
        _host("Qwen/Qwen3-235B-A22B-Instruct-2507", 262_144, _TOOLS),
        _host("meta-llama/Llama-4-Scout-17B-16E-Instruct", 327_680, _TOOLS, _VISION),
        _host("google/gemma-3-27b-it", 131_072, _TOOLS, _VISION),
        _host("google/gemma-3-12b-it", 131_072, _TOOLS, _VISION),
        _host("google/gemma-3-4b-it", 131_072, _TOOLS, _VISION),
        _host("microsoft/phi-4", 16_384, _TOOLS),
        _host("nvidia/NVIDIA-Nemotron-Nano-9B-v2", 131_072, _TOOLS),
        _host("Qwen/Qwen2.5-7B-Instruct", 32_768),
        _host("meta-llama/Meta-Llama-3.1-8B-Instruct", 131_072, _TOOLS),
        _host("meta-llama/Meta-Llama-3-8B-Instruct", 8_192, _TOOLS),
        _host("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 131_072, _TOOLS),
        # DeepInfra is silent on these; the maker's card states the window ("128k", "8k", "32k tokens").
        _card("meta-llama/Meta-Llama-3.1-405B-Instruct", 131_072, card="meta-llama/Llama-3.1-405B-Instruct"),
        _card("meta-llama/Meta-Llama-3-70B-Instruct", 8_192, card="meta-llama/Meta-Llama-3-70B-Instruct"),
        _card("meta-llama/Llama-3.2-1B-Instruct", 131_072, card="meta-llama/Llama-3.2-1B-Instruct"),
        _card("microsoft/phi-4-reasoning-plus", 32_768, card="microsoft/Phi-4-reasoning-plus"),
        _card("Qwen/Qwen2.5-Coder-32B-Instruct", 131_072, card="Qwen/Qwen2.5-Coder-32B-Instruct"),
        _card("microsoft/Phi-4-multimodal-instruct", 131_072, _VISION, card="microsoft/Phi-4-multimodal-instruct"),
    ]
)
#: Sold on the embedded page, but no host page or model card we could read states a window (searched 2026-12):
#: - `deepseek-ai/DeepSeek-V3-0324-Turbo`, `meta-llama/Llama-4-Maverick-17B-128E-Instruct-Turbo`: DeepInfra's
#:   own servings; no DeepInfra page for them was found, and a `-Turbo` serving often has a shorter window than
#:   the weights, so the base model's figure is no stand-in.
#: - `deepseek-ai/DeepSeek-Prover-V2-671B`: neither its model card's text nor a DeepInfra page stating a window
#:   was found; third-party pages say 128K or 160K, which is no citation.
#: - `MiniMaxAI/MiniMax-M2`, `-M2.1`, `-M2.5`: no model card text stating a window was found, and what hosts
#:   and the maker's API say differs (196,608, 204,800 or 1M tokens); DeepInfra's pages for them were not found.
#: - `mistralai/Mistral-7B-Instruct-v0.3`: its model card states the vocabulary (32,768), not the window.
UNSTATED = (
    "deepseek-ai/DeepSeek-V3-0324-Turbo",
    "deepseek-ai/DeepSeek-Prover-V2-671B",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-Turbo",
    "MiniMaxAI/MiniMax-M2",
    "MiniMaxAI/MiniMax-M2.1",
    "MiniMaxAI/MiniMax-M2.5",
    "mistralai/Mistral-7B-Instruct-v0.3",
)


@functools.cache
def _by_key() -> dict[str, KnownLimits]:
    return {model_key(model): limits for model, limits in KNOWN_LIMITS.items()}


def known_limits(model: str) -> KnownLimits | None:
    """The cited limits of a model id, by its `model_key` (`catalog.limits.limits_of` adds the operator's)."""
    return _by_key().get(model_key(model))


def limits_of(record: ModelRecord) -> KnownLimits | None:
    """The cited limits of a catalog row, by the `model_key` it already carries (no id is re-read on a hot path)."""
    return _by_key().get(record.model_key) if record.model_key else known_limits(record.model)
