"""What a model id tells about the model: vendor, display name, family, size and tags.

Only what the name says is derived. Where the name does not tell (DeepSeek-V3's size, say), the
answer is None: a guess would look exactly like a fact in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.records import DEFAULT_OUTPUT_SHARE, ModelRecord, PriceRow, blended_price

#: Tags in the order they are shown, each with the name tokens that give it.
TAG_TOKENS: dict[str, frozenset[str]] = {
    "reasoning": frozenset({"r1", "thinking", "reasoning", "reasoner", "prover", "qwq"}),
    "coder": frozenset({"coder", "code", "codestral", "codellama", "starcoder", "starcoder2", "devstral"}),
    "vision": frozenset({"vision", "multimodal", "vl", "vlm"}),
    "distilled": frozenset({"distill", "distilled"}),
    "turbo": frozenset({"turbo"}),
    "fp8": frozenset({"fp8"}),
    "guard": frozenset({"guard"}),
    "instruct": frozenset({"instruct", "it"}),
}
TAGS = tuple(TAG_TOKENS)

#: Data-quality flags a row can carry, with the sentence shown to people.
FLAG_LABELS = {
    "zero-price": "a price is zero",
    "output-cheaper-than-input": "output is cheaper than input",
}

_TOKEN_SPLIT = re.compile(r"[-_/\s:@]+")
_MOE = re.compile(r"(?<![A-Za-z\d.])(\d+)x(\d+(?:\.\d+)?)[Bb](?![A-Za-z\d])")
_EXPERTS = re.compile(r"(?<![A-Za-z\d.])(\d+(?:\.\d+)?)[Bb]-(\d+)E(?![A-Za-z\d])")
_ACTIVE = re.compile(r"(?<=[-_])A(\d+(?:\.\d+)?)[Bb](?![A-Za-z\d])")
_BILLIONS = re.compile(r"(?<![A-Za-z\d.])(\d+(?:\.\d+)?)[Bb](?![A-Za-z\d])")
_MILLIONS = re.compile(r"(?<![A-Za-z\d.])(\d+(?:\.\d+)?)M(?![A-Za-z\d])")

_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), template)
    for pattern, template in (
        (r"DeepSeek-R(\d+)", "DeepSeek R{0}"),
        (r"DeepSeek-Prover-V(\d+(?:\.\d+)?)", "DeepSeek Prover V{0}"),
        (r"DeepSeek-V(\d+(?:\.\d+)?)", "DeepSeek V{0}"),
        (r"DeepSeek-Coder-V(\d+)", "DeepSeek Coder V{0}"),
        (r"Llama-Guard-(\d+)", "Llama Guard {0}"),
        (r"Nemotron", "Nemotron"),
        (r"(?:^|-)Llama-?(\d+(?:\.\d+)?)", "Llama {0}"),
        (r"Qwen-?(\d+(?:\.\d+)?)", "Qwen{0}"),
        (r"QwQ", "QwQ"),
        (r"gemma-?(\d+(?:\.\d+)?)", "Gemma {0}"),
        (r"phi-?(\d+(?:\.\d+)?)", "Phi-{0}"),
        (r"MiniMax-M(\d+)", "MiniMax M{0}"),
        (r"GLM-?(\d+)", "GLM-{0}"),
        (r"Mixtral", "Mixtral"),
        (r"Mistral", "Mistral"),
        (r"WizardLM-?(\d+)", "WizardLM-{0}"),
        (r"MythoMax", "MythoMax"),
        (r"kimi-k(\d+)", "Kimi K{0}"),
        (r"claude-(haiku|sonnet|opus)", "Claude {0}"),
    )
)


@dataclass(frozen=True, slots=True)
class NameFacts:
    """Everything derived from one model id."""

    vendor: str | None
    display_name: str
    family: str | None
    params_b: float | None
    active_params_b: float | None
    tags: tuple[str, ...]


def split_id(model: str) -> tuple[str | None, str]:
    """The vendor (org) and the bare name of a model id; vendor is None when the id has none.

    `deepseek-ai/DeepSeek-R1` → (`deepseek-ai`, `DeepSeek-R1`);
    `accounts/fireworks/models/kimi-k2-instruct` → (`fireworks`, `kimi-k2-instruct`).
    """
    parts = model.split("/")
    if len(parts) == 1:
        return None, model
    if len(parts) >= 4 and parts[0] == "accounts" and parts[2] == "models":
        return parts[1] or None, "/".join(parts[3:])
    return parts[0] or None, parts[-1]


def _whole(value: float) -> float:
    """`70.0` as `70`, so sizes print as people write them."""
    return int(value) if value.is_integer() else value


def parameters(name: str) -> tuple[float | None, float | None]:
    """Total and active parameters in billions, where the name tells them."""
    active_match = _ACTIVE.search(name)
    active = _whole(float(active_match.group(1))) if active_match else None
    moe = _MOE.search(name)
    if moe:
        return _whole(int(moe.group(1)) * float(moe.group(2))), active
    experts = _EXPERTS.search(name)
    if experts:
        # `17B-128E` names the active parameters per token and the expert count, not the total.
        return None, _whole(float(experts.group(1)))
    total = _BILLIONS.search(name)
    if total:
        return _whole(float(total.group(1))), active
    millions = _MILLIONS.search(name)
    if millions:
        return _whole(float(millions.group(1)) / 1000), active
    return None, active


def family(name: str) -> str | None:
    for pattern, template in _FAMILIES:
        match = pattern.search(name)
        if match:
            groups = match.groups()
            return template.format(*(group.capitalize() if group.isalpha() else group for group in groups))
    return None


def tags(model: str) -> tuple[str, ...]:
    tokens = set(_TOKEN_SPLIT.split(model.lower()))
    return tuple(tag for tag, words in TAG_TOKENS.items() if not tokens.isdisjoint(words))


def describe(model: str) -> NameFacts:
    """Derive vendor, display name, family, size and tags from a model id."""
    vendor, name = split_id(model)
    params_b, active_params_b = parameters(name)
    return NameFacts(
        vendor=vendor,
        display_name=name.replace("_", " ").replace("-", " "),
        family=family(name),
        params_b=params_b,
        active_params_b=active_params_b,
        tags=tags(name),
    )


def quality_flags(input_usd: float, output_usd: float) -> tuple[str, ...]:
    flags = []
    if input_usd == 0 or output_usd == 0:
        flags.append("zero-price")
    if output_usd < input_usd:
        flags.append("output-cheaper-than-input")
    return tuple(flags)


def enrich(row: PriceRow, provider: str, source: str = "", output_share: float = DEFAULT_OUTPUT_SHARE) -> ModelRecord:
    """A price row made into a catalog record."""
    facts = describe(row.model)
    return ModelRecord(
        provider=provider,
        model=row.model,
        vendor=facts.vendor,
        input_usd_per_mtok=row.input_usd_per_mtok,
        output_usd_per_mtok=row.output_usd_per_mtok,
        blended_usd_per_mtok=blended_price(row.input_usd_per_mtok, row.output_usd_per_mtok, output_share),
        params_b=facts.params_b,
        active_params_b=facts.active_params_b,
        tags=facts.tags,
        source_line=row.source_line,
        display_name=facts.display_name,
        family=facts.family,
        flags=quality_flags(row.input_usd_per_mtok, row.output_usd_per_mtok),
        source=source,
    )
