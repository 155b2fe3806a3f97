"""A page per model: its prices and where they came from, what the id tells, its workload cost, cheaper peers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from catalog.costs import price_text as price_text  # re-exported: the pages and tables import it from here
from catalog.costs import usd
from catalog.dashboard.html_table import Cell, Column, html_lines, html_table
from catalog.dashboard.names import phone_names
from catalog.enrich import FLAG_LABELS, SIZE_FROM_ID, known_tags
from catalog.formats.litellm import MapEntry, map_entry
from catalog.known_context import KnownLimits
from catalog.limits import limits_of
from catalog.records import Catalog, ModelRecord, ProviderInfo, blended_price
from catalog.workload import Workload, WorkloadCost, workload_costs

#: Where the model page lives: `/model?id=<model id>` (and `&provider=` when several pages are loaded).
MODEL_PATH = "/model"
#: Cheaper alternatives listed on a model's page.
ALTERNATIVES = 5


def model_link(model: str, provider: str | None = None) -> str:
    """The model page's URL for a model, the id percent-encoded."""
    params = {"id": model} | ({"provider": provider} if provider else {})
    return f"{MODEL_PATH}?{urlencode(params)}"


def short_name(model: str) -> str:
    """A model's name without its maker: the id after its last `/` ("Llama-3.2-1B-Instruct")."""
    return model.rsplit("/", 1)[-1] or model


#: Reads a model's short name (its id after the last `/`) back out of its `model_link`, for a LinkColumn's
#: `display_text` (the dataframe decodes the match, `+` as a space).
SHORT_NAME_IN_LINK = r"[?&]id=(?:[^&]*%2F)?([^&]*)"


def find_model(models: Catalog, model: str | None, provider: str | None = None) -> ModelRecord | None:
    """The model a link names: by id, on `provider` when given (else the cheapest host of that id)."""
    if not model:
        return None
    hosts = [r for r in models.models if r.model == model and (provider is None or r.provider == provider)]
    return min(hosts, key=lambda r: r.blended_usd_per_mtok, default=None)


def size_text(record: ModelRecord) -> str:
    """`671B total, 37B active`, `8B`, `17B active`, or `unknown` when the id does not say."""
    total = f"{record.params_b:g}B" if record.params_b is not None else None
    active = f"{record.active_params_b:g}B active" if record.active_params_b is not None else None
    if total and active:
        return f"{total} total, {active}"
    return total or active or "unknown"


def size_origin(record: ModelRecord) -> str:
    """Where the size came from, as the page says it: `from the model id`, `from the model card`, or ``."""
    if record.size_source is None:
        return ""
    return "from the model id" if record.size_source == SIZE_FROM_ID else "from the model card"


def model_line(record: ModelRecord, *, with_provider: bool = False) -> str:
    """One line of HTML naming a model, linked to its page, with its two prices (the Playground's model)."""
    link = model_link(record.model, record.provider)
    name = Cell(record.display_name or record.model, href=link, strong=True, title=f"{record.model}: its page")
    where = [f"on {record.provider}"] if with_provider else []
    prices = [
        f"{price_text(record.input_usd_per_mtok)} in",
        f"{price_text(record.output_usd_per_mtok)} out per 1M tokens",
    ]
    return html_lines([[name, *where, *prices]], label="Model")


@dataclass(frozen=True, slots=True)
class ModelDetails:
    """Everything the model page shows, computed from the catalog and the Compare workload."""

    record: ModelRecord
    provider: ProviderInfo | None
    blended_usd_per_mtok: float
    cost: WorkloadCost
    alternatives: tuple[WorkloadCost, ...]
    hosts: tuple[ModelRecord, ...]
    price_map: MapEntry | None = None
    #: Context window, output limit and capabilities (`catalog.limits`: the cited table's, filled by the operator's).
    limits: KnownLimits | None = None

    def facts(self) -> list[tuple[str, str]]:
        """The page's fact table: label and value, as plain text."""
        record = self.record
        flags = ", ".join(FLAG_LABELS.get(flag, flag) for flag in record.flags)
        size = size_text(record) + (
            f" ({size_origin(record)})" if record.size_source else " (neither the id nor a model card we know says)"
        )
        card = [("Size source", record.size_source)] if record.size_source not in (None, SIZE_FROM_ID) else []
        from_card = known_tags(record.model)
        tags = ", ".join(record.tags) or "none"
        if from_card:
            tags += f" ({', '.join(from_card[0])} from the model card: {from_card[1]})"
        return [
            ("Model id", record.model),
            ("Provider", record.provider),
            ("Maker", record.vendor or "unknown"),
            ("Family", record.family or "unknown"),
            ("Size", size),
            *card,
            ("Tags", tags),
            ("Data quality", flags or "no issues found"),
            *self._limits(),
            *self._from_price_map(),
        ]

    def _limits(self) -> list[tuple[str, str]]:
        """Context window, longest output and capabilities, each with its source."""
        limits = self.limits
        if limits is None:
            return [("Context window", "unknown (no host page or model card we know says)")]

        def sourced(text: str, field: Literal["context_window", "max_output_tokens", "capabilities"]) -> str:
            return f"{text} (from {limits.source_of(field)})"

        window, output = limits.context_window, limits.max_output_tokens
        return [
            ("Context window", sourced(f"{window:,} tokens", "context_window") if window else "unknown"),
            ("Max output", sourced(f"{output:,} tokens", "max_output_tokens") if output else "not stated"),
            ("Capabilities", sourced(", ".join(limits.capabilities) or "none stated", "capabilities")),
        ]

    def _from_price_map(self) -> list[tuple[str, str]]:
        """What LiteLLM's map adds beyond the limits: its price, where it differs from the page."""
        entry, record = self.price_map, self.record
        if entry is None:
            return []
        theirs = (entry.input_usd_per_mtok, entry.output_usd_per_mtok)
        if theirs != (record.input_usd_per_mtok, record.output_usd_per_mtok) and None not in theirs:
            quoted = " in, ".join(price_text(price) for price in theirs if price is not None)
            return [("LiteLLM's price", f"{quoted} out per 1M: differs from the provider page")]
        return []

    def source(self) -> str:
        """Where the prices came from: page, line and snapshot date."""
        page = self.provider.source if self.provider else self.record.source
        snapshot = self.provider.snapshot_date if self.provider else None
        return f"{page or 'the provider page'}, line {self.record.source_line}, snapshot {snapshot or 'date unknown'}"


def alternatives(records: Sequence[ModelRecord], record: ModelRecord, workload: Workload) -> list[WorkloadCost]:
    """Cheaper models for the workload with at least the same tags and at least the same known size."""
    wanted = set(record.tags)
    peers = [
        other
        for other in records
        if (other.model, other.provider) != (record.model, record.provider)
        and wanted <= set(other.tags)
        and (record.params_b is None or (other.params_b is not None and other.params_b >= record.params_b))
    ]
    mine = workload_costs([record], workload)[0].per_request_usd
    return [line for line in workload_costs(peers, workload) if line.per_request_usd < mine][:ALTERNATIVES]


def model_details(
    models: Catalog,
    record: ModelRecord,
    workload: Workload,
    output_share: float,
    price_map: Mapping[str, MapEntry] | None = None,
) -> ModelDetails:
    """The model page of `record`, for the Compare workload and the Browse blend."""
    try:
        provider: ProviderInfo | None = models.provider(record.provider)
    except KeyError:
        provider = None
    hosts = sorted(
        (other for other in models.models if other.model == record.model and other.provider != record.provider),
        key=lambda other: other.blended_usd_per_mtok,
    )
    return ModelDetails(
        record=record,
        provider=provider,
        blended_usd_per_mtok=blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share),
        cost=workload_costs([record], workload)[0],
        alternatives=tuple(alternatives(models.models, record, workload)),
        hosts=tuple(hosts),
        price_map=map_entry(record, price_map) if price_map else None,
        limits=limits_of(record),
    )


def facts_table(details: ModelDetails) -> str:
    """The page's facts as an HTML table for `st.html`."""
    columns = [Column("Field", pinned=True), Column("Value", wrap=True)]
    return html_table(columns, [[label, value] for label, value in details.facts()], label="About this model")


def alternatives_table(details: ModelDetails) -> str:
    """The cheaper alternatives as an HTML table for `st.html`, each name linking to its model page."""
    columns = [
        Column("Model", "Open the model's page", pinned=True),
        Column("Provider"),
        Column("Per month", "The Compare workload a month on it", numeric=True),
        Column("Saves a month", "Against this model, for the Compare workload", numeric=True),
    ]
    phone = phone_names(line.record.model for line in details.alternatives)
    rows: list[list[Cell | str | None]] = [
        [  # the name as Browse writes it, and on a phone a name that tells it apart (`names`), the id its tooltip
            Cell(
                short_name(line.record.model),
                model_link(line.record.model, line.record.provider),
                title=line.record.model,
                short=phone[line.record.model],
            ),
            line.record.provider,
            usd(line.per_month_usd, 2),
            usd(details.cost.per_month_usd - line.per_month_usd, 2),
        ]
        for line in details.alternatives
    ]
    return html_table(columns, rows, label="Cheaper alternatives")
