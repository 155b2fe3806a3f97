"""The Playground's view-model: which model it opens on and why, what the model's past replies measured, what a
prompt would cost as it is typed (the preview for a visitor without a credential), and the parameters in a few
words."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.costs import request_cost, usd
from catalog.records import Catalog, ModelRecord
from catalog.runs.report import Speed
from catalog.words import counted
from catalog.workload import estimate_tokens

#: Tags of models that do not chat (a safety classifier answers "safe"/"unsafe").
NOT_CHAT_TAGS = frozenset({"guard"})


@dataclass(frozen=True, slots=True)
class FirstModel:
    """The model a bare `/playground` opens on, and the sentence that says why (plain text)."""

    record: ModelRecord
    why: str


def is_chat_model(record: ModelRecord, catalog: Catalog) -> bool:
    """A model the Playground can chat with: its page gives a chat URL, it is no classifier, both prices are set."""
    return (
        bool(catalog.provider(record.provider).target_url)
        and not NOT_CHAT_TAGS.intersection(record.tags)
        and record.input_usd_per_mtok > 0
        and record.output_usd_per_mtok > 0
    )


def first_model(catalog: Catalog, last_seen: tuple[str, str] | None) -> FirstModel:
    """The model the visitor last looked at when the catalog still has it, else the cheapest chat model (by the
    blended price), else the first row."""
    if last_seen is not None:
        record = catalog.find(last_seen[1], last_seen[0])
        if record is not None:
            return FirstModel(record, f"Showing {record.model}, the model you last looked at.")
    chat = [record for record in catalog.models if is_chat_model(record, catalog)]
    if not chat:
        return FirstModel(catalog.models[0], f"Showing {catalog.models[0].model}, the first model of the catalog.")
    cheapest = min(chat, key=lambda record: (record.blended_usd_per_mtok, record.model))
    return FirstModel(cheapest, f"Showing {cheapest.model}, the cheapest chat model in the catalog; pick any other.")


def speed_sentence(speed: Speed | None) -> str:
    """What past replies measured: "From 3 past replies: first token in 420 ms, 95 tokens/s"."""
    if speed is None or not speed.replies:
        return "No past replies measured yet: the first reply sent here measures its speed."
    parts = []
    if speed.ttft_ms_p50 is not None:
        parts.append(f"first token in {speed.ttft_ms_p50:,.0f} ms")
    if speed.output_tokens_per_s_p50 is not None:
        parts.append(f"{speed.output_tokens_per_s_p50:,.0f} tokens/s")
    measured = ", ".join(parts) or "no timings recorded"
    return f"From {counted(speed.replies, 'past reply')} (medians): {measured}."


def prompt_cost(record: ModelRecord, prompt: str, max_tokens: int) -> str:
    """What a prompt would cost: its estimated input tokens alone, and with a reply as long as `max_tokens`."""
    tokens = estimate_tokens(prompt).tokens
    if tokens == 0:
        return "What it would cost on this model shows here as you type."
    asked = request_cost(record, tokens, 0)
    longest = request_cost(record, tokens, max_tokens)
    return (
        f"About {counted(tokens, 'token')} in (characters ÷ 4): {usd(asked, significant=2)} to send; "
        f"at most {usd(longest, significant=2)} with a reply of up to {counted(max_tokens, 'token')}."
    )


def parameters_label(temperature: float, top_p: float, max_tokens: int, system_prompt: bool, stop: str) -> str:
    """The parameters in a few words: "Temperature 1 · top_p 1 · 1,024 max tokens · system prompt"; `stop` is the
    stop sequences' field, one a line."""
    parts = [f"Temperature {temperature:g}", f"top_p {top_p:g}", f"{max_tokens:,} max tokens"]
    if system_prompt:
        parts.append("system prompt")
    stops = [line for line in stop.splitlines() if line]
    if stops:
        parts.append(counted(len(stops), "stop sequence"))
    return " · ".join(parts)
