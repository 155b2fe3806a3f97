"""The catalog's records: provider metadata, model rows, and the catalog that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

#: Decimals kept of a computed number (a blended price, a cost): 1e-9 USD, below any price's own precision,
#: so binary float noise (0.7000000000000001) never reaches an export.
DECIMALS = 9

#: Fraction of tokens that are output in the default blended price: 3 input : 1 output.
DEFAULT_OUTPUT_SHARE = 0.25

#: The public schema of a model row, in order. Later issues and outside checks rely on these names.
SCHEMA_FIELDS = (
    "provider",
    "model",
    "model_key",
    "vendor",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "blended_usd_per_mtok",
    "params_b",
    "active_params_b",
    "size_source",
    "tags",
    "source_line",
)


class CatalogError(Exception):
    """Base class for every error the catalog reports to a person."""


class ParseError(CatalogError):
    """A provider page could not be read; names the line and the reason."""

    def __init__(self, line: int, reason: str, source: str = "<page>") -> None:
        self.line = line
        self.reason = reason
        self.source = source
        super().__init__(f"{source}, line {line}: {reason}")


class SourceError(CatalogError):
    """A provider page could not be loaded (missing file, unreachable URL, bad response)."""


def blended_price(input_usd: float, output_usd: float, output_share: float = DEFAULT_OUTPUT_SHARE) -> float:
    """Price per 1M tokens of a mix where `output_share` of the tokens are output tokens, to 1e-9 USD.

    The one place a blended price is computed, so the rounding here keeps binary float noise
    (`0.7000000000000001`) out of every table, chart and export.
    """
    check_output_share(output_share)
    return round((1.0 - output_share) * input_usd + output_share * output_usd, DECIMALS)


def check_output_share(output_share: float) -> None:
    """Raise `ValueError` unless the share of output tokens is between 0 and 1."""
    if not 0.0 <= output_share <= 1.0:
        raise ValueError(f"output_share must be between 0 and 1, got {output_share}")


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """What a provider page says about the provider itself, and where the page came from.

    `auth_header` is the header the provider reads its key from (`Authorization`, `x-api-key`) and
    `auth_scheme` the scheme in an `Authorization` header (`Bearer`); `endpoints` pairs each section
    heading that names a target URL (`Chat Completions (Native)`) with that URL, in page order.
    """

    name: str
    description: str | None = None
    target_url: str | None = None
    content_type: str | None = None
    streaming: bool | None = None
    auth_scheme: str | None = None
    auth_header: str | None = None
    endpoints: tuple[tuple[str, str], ...] = ()
    claimed_model_count: int | None = None
    modes: tuple[str, ...] = ()
    source: str = "<page>"
    snapshot_date: str | None = None


# Rows are NamedTuples, not frozen dataclasses: just as immutable and typed, and made four times faster,
# which is most of the parse time of a large page (bench/bench_catalog.py).
class PriceRow(NamedTuple):
    """One row of a price table, exactly as the page gives it."""

    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    source_line: int
    free: bool = False  # the page wrote `Free` for a price (read as 0)


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A provider page read into metadata and raw price rows."""

    provider: ProviderInfo
    rows: tuple[PriceRow, ...]
    warnings: tuple[str, ...] = ()


class ModelRecord(NamedTuple):
    """One model offered by one provider, with its prices and what its id tells about it."""

    provider: str
    model: str
    vendor: str | None
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    blended_usd_per_mtok: float
    params_b: float | None
    active_params_b: float | None
    tags: tuple[str, ...]
    source_line: int
    display_name: str = ""
    family: str | None = None
    flags: tuple[str, ...] = ()
    source: str = ""
    #: One key for the same weights wherever they are sold (see `catalog.enrich.model_key`).
    model_key: str = ""
    #: Where `params_b`/`active_params_b` came from: "id", the model card's URL, or None when unknown.
    size_source: str | None = None

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """The row as plain data: the public schema, plus the enrichment extras when `full`."""
        data = self._asdict()
        data["tags"] = list(self.tags)
        data["flags"] = list(self.flags)
        if full:
            return data
        return {name: data[name] for name in SCHEMA_FIELDS}


FULL_FIELDS: tuple[str, ...] = ModelRecord._fields


@dataclass(frozen=True, slots=True)
class Catalog:
    """Models from one or more provider pages, with the pages' metadata and data-quality warnings."""

    providers: tuple[ProviderInfo, ...]
    models: tuple[ModelRecord, ...]
    warnings: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.models)

    def provider(self, name: str) -> ProviderInfo:
        """The metadata of the provider called `name`."""
        for info in self.providers:
            if info.name == name:
                return info
        raise KeyError(name)

    def find(self, model: str, provider: str | None = None) -> ModelRecord | None:
        """The first row with this model id (on this provider, if given), or None."""
        for record in self.models:
            if record.model == model and (provider is None or record.provider == provider):
                return record
        return None

    def to_records(self, *, full: bool = False) -> list[dict[str, Any]]:
        return [record.to_dict(full=full) for record in self.models]

    def to_frame(self, *, full: bool = True) -> pd.DataFrame:
        """The models as a pandas DataFrame, one row per model, columns in schema order."""
        import pandas as pd

        columns = list(FULL_FIELDS if full else SCHEMA_FIELDS)
        return pd.DataFrame(self.to_records(full=full), columns=columns)
