"""What a model's id does not say but its maker's model card does: parameter counts and capability tags.

Each entry is keyed by the maker's Hugging Face id and cites that model card, the page the figure was
read from. Only published figures are here; a model missing from the table keeps an unknown size, never a
guess. The catalog matches an entry by `model_key`, so every host's spelling of the same weights (and a
host's quantised `-Turbo`/`-FP8` serving of them, which has the same parameters) finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

HUGGING_FACE = "https://huggingface.co/"


@dataclass(frozen=True, slots=True)
class KnownSize:
    """Total and active parameters (billions) as the model card gives them; active None for a dense model."""

    params_b: float
    active_params_b: float | None = None


#: Published sizes by the maker's Hugging Face id (the model card at `HUGGING_FACE + id` states them).
KNOWN_SIZES: dict[str, KnownSize] = {
    # "671B total parameters with 37B activated for each token"
    "deepseek-ai/DeepSeek-V3": KnownSize(671, 37),
    "deepseek-ai/DeepSeek-V3-0324": KnownSize(671, 37),
    "deepseek-ai/DeepSeek-V3.1": KnownSize(671, 37),
    "deepseek-ai/DeepSeek-V3.1-Terminus": KnownSize(671, 37),
    "deepseek-ai/DeepSeek-R1": KnownSize(671, 37),
    "deepseek-ai/DeepSeek-R1-0528": KnownSize(671, 37),
    # dense models: "14B parameters", "5.6B parameters"
    "microsoft/phi-4": KnownSize(14),
    "microsoft/Phi-4-reasoning": KnownSize(14),
    "microsoft/Phi-4-reasoning-plus": KnownSize(14),
    "microsoft/Phi-4-multimodal-instruct": KnownSize(5.6),
    # "456 billion parameters in total, with 45.9 billion parameters activated per token"
    "MiniMaxAI/MiniMax-M1-40k": KnownSize(456, 45.9),
    "MiniMaxAI/MiniMax-M1-80k": KnownSize(456, 45.9),
    # "230 billion total parameters with 10 billion active parameters"
    "MiniMaxAI/MiniMax-M2": KnownSize(230, 10),
    # "355 billion total parameters with 32 billion active"; Air: "106 billion total, 12 billion active"
    "zai-org/GLM-4.5": KnownSize(355, 32),
    "zai-org/GLM-4.5-Air": KnownSize(106, 12),
    # "32 billion activated parameters and 1 trillion total parameters"
    "moonshotai/Kimi-K2-Instruct": KnownSize(1000, 32),
    "moonshotai/Kimi-K2-Instruct-0905": KnownSize(1000, 32),
    "moonshotai/Kimi-K2-Thinking": KnownSize(1000, 32),
    # the id gives the active parameters (17B); the card the total: 400B Maverick, 109B Scout
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": KnownSize(400, 17),
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": KnownSize(109, 17),
}

#: Capability tags by the maker's Hugging Face id, where the id does not carry them. Qwen3's first
#: release switches between a thinking and a non-thinking mode in one model ("enable_thinking"); the 2507
#: `-Instruct` models are non-thinking only, and `-Thinking-2507` says so in its id.
KNOWN_TAGS: dict[str, tuple[str, ...]] = {
    f"Qwen/Qwen3-{size}": ("reasoning",) for size in ("0.6B", "1.7B", "4B", "8B", "14B", "32B", "30B-A3B", "235B-A22B")
}

#: Name endings that change how a host serves the weights, not how many parameters they have.
SERVING_SUFFIXES = ("-turbo", "-fp8", "-fp4")


def model_card(hugging_face_id: str) -> str:
    """The URL of a model's card on Hugging Face."""
    return HUGGING_FACE + hugging_face_id
