"""What a model id tells about the model: vendor, display name, family, size and tags.

Only what the name says is derived, plus what the maker's model card publishes for the same weights
(`catalog.known_sizes`: DeepSeek-V3's 671B, Qwen3's thinking mode), each record saying where its size came
from. Where neither tells, the answer is None: a guess would look exactly like a fact in the table.
"""

from __future__ import annotations

import re
from itertools import takewhile
from typing import NamedTuple

from catalog.known_sizes import KNOWN_SIZES, KNOWN_TAGS, SERVING_SUFFIXES, KnownSize, model_card
from catalog.records import DECIMALS as _DECIMALS
from catalog.records import DEFAULT_OUTPUT_SHARE, ModelRecord, ParsedPage, PriceRow, check_output_share

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
    "free": "the page lists it as free",
    "zero-price": "a price is zero",
    "output-cheaper-than-input": "output is cheaper than input",
}

_new_record = tuple.__new__
_TOKEN_TAG = {token: tag for tag, tokens in TAG_TOKENS.items() for token in tokens}
# The words of a name that tell its size: `70b`, `1.5b`, `135m` (millions), `a3b` (active), `8x22b`
# (experts × size), and `128e`, an expert count, which makes the size before it the active size (`17b-128e`).
# ASCII digits only (`\d` would read other scripts' digits), and possessive runs: linear on any word.
_SIZE_WORD = re.compile(
    r"(?P<active>a)?+(?P<size>[0-9]++(?:\.[0-9]++)?+)(?P<unit>[bm])"
    r"|(?P<moe_experts>[0-9]++)x(?P<moe_size>[0-9]++(?:\.[0-9]++)?+)b"
    r"|(?P<expert_count>[0-9]++e)"
)
_PLAIN, _TOTAL, _ACTIVE, _EXPERT_COUNT = range(4)
_WORD_CACHE_LIMIT = 100_000
# Only short words and families are cached, so a hostile id cannot fill memory through the caches.
_CACHED_CHARS = 64


class _Word(NamedTuple):
    """What one lowercase word of a model name tells."""

    tag: str | None
    kind: int
    billions: float | None


_NOTHING = _Word(None, _PLAIN, None)
# Words and families recur across names ("instruct", "70b", "Llama-3.3"), so each is read once, which
# halves enrichment time (bench/bench_catalog.py measures with both caches empty).
_WORDS: dict[str, _Word] = {}
_FAMILY_NAMES: dict[tuple[int, str], tuple[str, str]] = {}


# Families, most specific first where two could match at the same place. One search finds the leftmost.
# A name holding "Nemotron" is a Nemotron, even one built on Llama: checked before the search, since a
# lookahead for it after every "Llama" made the search quadratic in the length of the name.
_NEMOTRON = "nemotron"
_FAMILY_RULES = (  # pattern, family, the maker's Hugging Face organisation
    (r"DeepSeek-R(\d+)", "DeepSeek R{0}", "deepseek-ai"),
    (r"DeepSeek-Prover-V(\d+(?:\.\d+)?)", "DeepSeek Prover V{0}", "deepseek-ai"),
    (r"DeepSeek-Coder-V(\d+)", "DeepSeek Coder V{0}", "deepseek-ai"),
    (r"DeepSeek-V(\d+(?:\.\d+)?)", "DeepSeek V{0}", "deepseek-ai"),
    (r"Llama-Guard-(\d+)", "Llama Guard {0}", "meta-llama"),
    # `v?`: Fireworks writes `llama-v3p3` (read as `llama-v3.3`) for Llama 3.3.
    (r"(?<![A-Za-z])Llama-?v?(\d+(?:\.\d+)?)", "Llama {0}", "meta-llama"),
    (r"Qwen-?(\d+(?:\.\d+)?)", "Qwen{0}", "Qwen"),
    (r"QwQ", "QwQ", "Qwen"),
    (r"gemma-?(\d+(?:\.\d+)?)", "Gemma {0}", "google"),
    (r"(?<![A-Za-z])phi-?(\d+(?:\.\d+)?)", "Phi-{0}", "microsoft"),
    (r"MiniMax-M(\d+)", "MiniMax M{0}", "MiniMaxAI"),
    (r"GLM-?(\d+)", "GLM-{0}", "zai-org"),
    (r"Mixtral", "Mixtral", "mistralai"),
    (r"Mistral", "Mistral", "mistralai"),
    (r"WizardLM-?(\d+)", "WizardLM-{0}", "microsoft"),
    (r"MythoMax", "MythoMax", "Gryphe"),
    (r"kimi-k(\d+)", "Kimi K{0}", "moonshotai"),
    (r"gpt-oss", "gpt-oss", "openai"),
    (r"claude-(haiku|sonnet|opus)", "Claude {0}", "Anthropic"),
)
# Searched in the lowercase name: faster than a case-insensitive search (the patterns use no `\D`-like escapes).
# Every rule starts with a literal and its runs of digits are possessive and ASCII, so the search is linear.
_FAMILY = re.compile(
    "|".join(f"({pattern.lower()})" for pattern, _, _ in _FAMILY_RULES).replace("\\d+", "[0-9]++").replace(")?", ")?+")
)

# The words a rule can start with, the longest text a rule can match, and how many places are tried.
_FAMILY_STARTS = tuple(
    sorted(
        {
            "".join(takewhile(str.isalpha, pattern.lower().removeprefix("(?<![a-za-z])")))
            for pattern, _, _ in _FAMILY_RULES
        }
    )
)
_FAMILY_WINDOW = 64
_FAMILY_TRIES = 8


def _family_templates() -> dict[int, tuple[str, int, str]]:
    """For each rule's group number in `_FAMILY`: its template, its own group's number (0 if none), its maker."""
    templates = {}
    group = 1
    for pattern, template, maker in _FAMILY_RULES:
        own_groups = re.compile(pattern).groups
        templates[group] = (template, group + 1 if own_groups else 0, maker)
        group += 1 + own_groups
    return templates


_FAMILY_TEMPLATES = _family_templates()


#: How hosts spell a maker's organisation (lowercase) → the maker's Hugging Face organisation.
MAKER_ORGS = {
    "meta-llama": "meta-llama",
    "meta": "meta-llama",
    "deepseek-ai": "deepseek-ai",
    "deepseek": "deepseek-ai",
    "qwen": "Qwen",
    "openai": "openai",
    "mistralai": "mistralai",
    "mistral": "mistralai",
    "zai-org": "zai-org",
    "z-ai": "zai-org",
    "thudm": "zai-org",  # the GLM makers' organisation before it was renamed zai-org
    "moonshotai": "moonshotai",
    "minimaxai": "MiniMaxAI",
    "minimax": "MiniMaxAI",
    "google": "google",
    "microsoft": "microsoft",
    "nvidia": "nvidia",
    "anthropic": "Anthropic",
}


def split_id(model: str) -> tuple[str | None, str]:
    """The organisation and the bare name of a model id; the organisation is None when the id has none.

    `deepseek-ai/DeepSeek-R1` → (`deepseek-ai`, `DeepSeek-R1`); a host path names the host, not an
    organisation: `accounts/fireworks/models/kimi-k2-instruct` → (None, `kimi-k2-instruct`).
    """
    if "/" not in model:
        return None, model
    parts = model.split("/")
    if len(parts) >= 4 and parts[0] == "accounts" and parts[2] == "models":
        return None, "/".join(parts[3:])
    return parts[0] or None, parts[-1]


#: Keys that no rule can match across hosts, each to the key of the same weights; the reason beside it.
KEY_ALIASES = {
    "llama-3.3-70b": "llama-3.3-70b-instruct",  # Cerebras' name; Meta released Llama 3.3 70B as Instruct only
    "llama-3.3-70b-versatile": "llama-3.3-70b-instruct",  # Groq's name for Llama 3.3 70B Instruct
    "llama3.1-8b": "llama-3.1-8b-instruct",  # Cerebras' name for Llama 3.1 8B Instruct
    "llama-3.1-8b-instant": "llama-3.1-8b-instruct",  # Groq's name for Llama 3.1 8B Instruct
    "zai-glm-4.6": "glm-4.6",  # Cerebras' name for zai-org/GLM-4.6
}
_DIGIT_P_DIGIT = re.compile(r"(?<=[0-9])p(?=[0-9])")  # `v3p3` → `v3.3`: lookarounds of one character
_LLAMA_V = re.compile(r"llama-v(?=[0-9])")  # Fireworks' `llama-v3.3` is Meta's `Llama-3.3`


def model_key(model: str) -> str:
    """One key for the same weights wherever they are sold.

    Case, the organisation, a host path (`accounts/<x>/models/`), a `Meta-` prefix and the spelling
    of versions (`v3p1` = `V3.1`; Llama's `v3p3` = `3.3`) do not change the key; everything else in the name does
    (`-Turbo`, `-FP8`, a date such as `-0528`, `Distill`, sizes). `KEY_ALIASES` covers the rest.
    """
    return _key(_normalized(split_id(model)[1].lower()))


def _normalized(lowered: str) -> str:
    """A lowercase name with versions spelt one way: `p` between digits read as `.`."""
    return _DIGIT_P_DIGIT.sub(".", lowered) if "p" in lowered else lowered


def _key(normalized: str) -> str:
    key = normalized.replace("_", "-").replace(" ", "-").removeprefix("meta-")
    if key.startswith("qwen-") and key[5:6].isdigit():  # Cerebras' `qwen-3-32b` is Qwen's `Qwen3-32B`
        key = "qwen" + key[5:]
    if "llama-v" in key:
        key = _LLAMA_V.sub("llama-", key)
    return KEY_ALIASES.get(key, key)


#: Where a size read from the id says it came from (`ModelRecord.size_source`); else the model card's URL.
SIZE_FROM_ID = "id"
_SizeCard = tuple[KnownSize, str]  # a published size and its model card's URL
_TagsCard = tuple[tuple[str, ...], str]  # tags the id does not carry and the model card's URL


def _known_by_key() -> dict[str, tuple[_SizeCard | None, _TagsCard | None]]:
    """The model-card table by `model_key`, also under every key a host's serving suffixes make of it
    (`-turbo`, `-fp8-turbo`: the same weights), so a row needs one dictionary lookup."""
    sizes = {model_key(name): (size, model_card(name)) for name, size in KNOWN_SIZES.items()}
    tags = {model_key(name): (found, model_card(name)) for name, found in KNOWN_TAGS.items()}
    known: dict[str, tuple[_SizeCard | None, _TagsCard | None]] = {}
    for key in sizes.keys() | tags.keys():
        entry = (sizes.get(key), tags.get(key))
        for suffix in ("", *SERVING_SUFFIXES, *(a + b for a in SERVING_SUFFIXES for b in SERVING_SUFFIXES if a != b)):
            known[key + suffix] = entry
    return known


_KNOWN = _known_by_key()


def known_tags(model: str) -> tuple[tuple[str, ...], str] | None:
    """The tags the maker's model card adds for this model (not in its id), with the card's URL."""
    entry = _KNOWN.get(model_key(model))
    return entry[1] if entry else None


def _sized(
    key: str, tags: tuple[str, ...], total: float | None, active: float | None
) -> tuple[tuple[str, ...], float | None, float | None, str | None]:
    """Tags and sizes with what the model card adds where the id is silent, and where the size came from."""
    source = SIZE_FROM_ID if total is not None or active is not None else None
    entry = _KNOWN.get(key)
    if entry is None:  # most models: one lookup
        return tags, total, active, source
    sized, tagged = entry
    if sized is not None and total is None:  # the card fills what the id leaves out; what the id says stays
        size, source = sized
        total, active = size.params_b, size.active_params_b if active is None else active
    if tagged is not None:
        tags = tuple(tag for tag in TAGS if tag in tags or tag in tagged[0])
    return tags, total, active, source


def _whole(value: float) -> float:
    """`70.0` as `70`, so sizes print as people write them."""
    return int(value) if value.is_integer() else value


def clear_word_cache() -> None:
    """Forget every word and family read so far (for benchmarks that must start cold)."""
    _WORDS.clear()
    _FAMILY_NAMES.clear()


def _split_words(lowered: str) -> list[str]:
    """The words of a lowercase name, split at `-`, `_`, `/`, `:` and spaces; `.` stays (`3.3`)."""
    return lowered.replace("_", "-").replace("/", "-").replace(":", "-").replace(" ", "-").split("-")


def _read_word(word: str) -> _Word:
    tag = _TOKEN_TAG.get(word)
    match = _SIZE_WORD.fullmatch(word)
    if match is None:
        return _Word(tag, _PLAIN, None) if tag else _NOTHING
    if match["expert_count"]:
        return _Word(tag, _EXPERT_COUNT, None)
    if match["moe_experts"]:
        return _Word(tag, _TOTAL, _whole(int(match["moe_experts"]) * float(match["moe_size"])))
    size = _whole(float(match["size"]) / (1000 if match["unit"] == "m" else 1))
    return _Word(tag, _ACTIVE if match["active"] else _TOTAL, size)


def _read_words(words: list[str]) -> tuple[tuple[str, ...], float | None, float | None]:
    """Tags, total and active parameters (billions) from the words of a name."""
    found: set[str] = set()
    total = active = previous_total = None
    for word in words:
        info = _WORDS.get(word)
        if info is None:
            info = _read_word(word)
            if len(_WORDS) < _WORD_CACHE_LIMIT and len(word) <= _CACHED_CHARS:
                _WORDS[word] = info
        if info is _NOTHING:  # most words: a name, a version, a date
            previous_total = None
            continue
        tag, kind, billions = info
        if tag:
            found.add(tag)
        if kind == _EXPERT_COUNT and previous_total is not None and active is None:
            # `17B-128E` names the parameters active per token and the expert count, not the total.
            active = previous_total
            if total == previous_total:
                total = None
        elif kind == _TOTAL and total is None:
            total = billions
        elif kind == _ACTIVE and active is None:
            active = billions
        previous_total = billions if kind == _TOTAL else None
    tags = tuple(tag for tag in TAGS if tag in found) if found else ()
    return tags, total, active


def parameters(name: str) -> tuple[float | None, float | None]:
    """Total and active parameters in billions, where the name tells them."""
    _, total, active = _read_words(_split_words(name.lower()))
    return total, active


def tags(name: str) -> tuple[str, ...]:
    """The tags the words of the name give (see `TAG_TOKENS`)."""
    return _read_words(_split_words(name.lower()))[0]


def family(name: str) -> str | None:
    """The model family the name belongs to ("Llama 3.3", "Qwen3", "DeepSeek R1"), if it is a known one."""
    return _family(_normalized(name.lower()))[0]


def maker(model: str) -> str | None:
    """The maker of a model, as its Hugging Face organisation: the id's own where it names a maker,
    else the maker of its family; None when neither tells."""
    organisation, name = split_id(model)
    return _maker(organisation, _family(_normalized(name.lower()))[1])


def _maker(organisation: str | None, family_maker: str | None) -> str | None:
    if organisation is None:
        return family_maker
    return MAKER_ORGS.get(organisation.lower(), organisation)


def _family(lowered: str) -> tuple[str | None, str | None]:
    """The family of a normalized lowercase name and its maker."""
    if _NEMOTRON in lowered:
        return "Nemotron", "nvidia"
    match = _FAMILY.match(lowered, 0, _FAMILY_WINDOW)  # most names start with their family: `qwen3-…`
    position = 0
    for _ in range(_FAMILY_TRIES if match is None else 0):
        # Try the rules only where one could start: a regex search tries every rule at every position,
        # a microsecond a character, which a long hostile id would turn into seconds for a page.
        starts = [index for index in (lowered.find(start, position) for start in _FAMILY_STARTS) if index >= 0]
        if not starts:
            return None, None
        first = min(starts)
        match = _FAMILY.match(lowered, first, first + _FAMILY_WINDOW)
        if match is not None:
            break
        position = first + 1
    if match is None:
        return None, None
    # A rule's own group closes before the rule's group does, so `lastindex` is always the rule's.
    key = (match.lastindex or 0, match[0])
    known = _FAMILY_NAMES.get(key)
    if known is None:
        template, own_group, family_maker = _FAMILY_TEMPLATES[key[0]]
        word = match[own_group] if own_group else ""
        known = (template.format(word.capitalize() if word.isalpha() else word), family_maker)
        if len(_FAMILY_NAMES) < _WORD_CACHE_LIMIT and len(key[1]) <= _CACHED_CHARS:
            _FAMILY_NAMES[key] = known
    return known


def _facts(
    model: str,
) -> tuple[str | None, str, str | None, float | None, float | None, tuple[str, ...], str, str | None]:
    organisation, name = split_id(model)
    normalized = _normalized(name.lower())
    key = _key(normalized)
    tags, params_b, active_params_b = _read_words(_split_words(normalized))
    if key in _KNOWN:  # a few models; the rest skip a call on the hot path
        tags, params_b, active_params_b, size_source = _sized(key, tags, params_b, active_params_b)
    else:
        size_source = SIZE_FROM_ID if params_b is not None or active_params_b is not None else None
    family_name, family_maker = _family(normalized)
    vendor = _maker(organisation, family_maker)
    display_name = name.replace("_", " ").replace("-", " ")
    return vendor, display_name, family_name, params_b, active_params_b, tags, key, size_source


def quality_flags(input_usd: float, output_usd: float, free: bool = False) -> tuple[str, ...]:
    """The data-quality flags of a row's prices; a price the page calls `Free` is flagged free, not zero."""
    if 0 < input_usd <= output_usd:
        return ()
    flags = []
    if free:
        flags.append("free")
    elif input_usd == 0 or output_usd == 0:
        flags.append("zero-price")
    if output_usd < input_usd:
        flags.append("output-cheaper-than-input")
    return tuple(flags)


def enrich(row: PriceRow, provider: str, source: str = "", output_share: float = DEFAULT_OUTPUT_SHARE) -> ModelRecord:
    """A price row made into a catalog record."""
    check_output_share(output_share)
    return _record(row, provider, source, output_share)


def enrich_page(page: ParsedPage, output_share: float = DEFAULT_OUTPUT_SHARE) -> list[ModelRecord]:
    """Every price row of a page made into a catalog record of its provider."""
    check_output_share(output_share)  # once here, not in the per-row hot path
    provider, source = page.provider.name, page.provider.source
    return [_record(row, provider, source, output_share) for row in page.rows]


def _record(row: PriceRow, provider: str, source: str, output_share: float) -> ModelRecord:
    model, input_usd, output_usd, source_line, free = row
    vendor, display_name, family_name, params_b, active_params_b, tags, key, size_source = _facts(model)
    # `tuple.__new__` with the fields in order: a third of the cost of `ModelRecord(...)`, on the hot path.
    # tests/test_fast_paths.py builds the same record by field name, so adding or moving a field fails there.
    return _new_record(
        ModelRecord,
        (
            provider,
            model,
            vendor,
            input_usd,
            output_usd,
            # `blended_price`, inlined: the hot path
            round((1.0 - output_share) * input_usd + output_share * output_usd, _DECIMALS),
            params_b,
            active_params_b,
            tags,
            source_line,
            display_name,
            family_name,
            quality_flags(input_usd, output_usd, free),
            source,
            key,
            size_source,
        ),
    )
