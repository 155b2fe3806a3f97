"""The dashboard's view (filters, sort, picks, workload) and its round trip through URL query parameters.

A view is a link: `to_params` writes only what differs from the defaults, with short names
(`?tag=reasoning&max_out=1&sort=-output`), and `parse_params` reads a link back, setting aside any value
it cannot use with a sentence saying why, so a bad link degrades to the default view instead of failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from catalog.enrich import TAGS
from catalog.known_context import CAPABILITIES
from catalog.literal import code_span
from catalog.query import SORT_KEYS, ModelFilter
from catalog.records import Catalog
from catalog.workload import PERIODS, Period, Workload

#: The price the charts rank and plot, with its label.
ChartMetric = Literal["blended", "input", "output"]
CHART_METRICS: dict[ChartMetric, str] = {"blended": "Blended", "input": "Input", "output": "Output"}
#: The one chart the Charts page draws at a time, with its label.
ChartName = Literal["ranked", "scatter", "size", "frontier"]
CHARTS: dict[ChartName, str] = {
    "ranked": "Ranked prices",
    "scatter": "Input vs output",
    "size": "Price vs size",
    "frontier": "Cheapest by mix",
}
#: The orders of Compare's table, by the key its link writes (`csort=-input`), with how people say them: a cost
#: column (a request, a day and a month rank alike; each header marks its own), a price, or the model's name.
COMPARE_SORTS = {
    "month": "cost per month",
    "request": "cost per request",
    "day": "cost per day",
    "input": "input price",
    "output": "output price",
    "model": "name",
}
Scope = Literal["picked", "filtered", "all"]
SCOPES: tuple[Scope, ...] = ("picked", "filtered", "all")
#: Most models that can be picked for the side-by-side comparison.
MAX_PICKS = 4
# Bounds of every number a link or a widget sets: far past any real use, and small enough that no cost,
# count or budget computed from them overflows.
#: Largest price filter, USD per 1M tokens.
MAX_PRICE_USD = 1_000_000.0
#: Largest size filter, billions of parameters.
MAX_PARAMS_B = 1_000_000.0
#: Most tokens in or out per request.
MAX_TOKENS = 100_000_000
#: Most requests per day or month.
MAX_REQUESTS = 1_000_000_000_000
#: Largest monthly budget, USD.
MAX_BUDGET_USD = 1_000_000_000_000.0


@dataclass(frozen=True, slots=True)
class DashboardView(ModelFilter):
    """Everything a dashboard link restores: the Browse filters (a `ModelFilter`, its collections held as
    tuples), sort, picked models, the workload, the chart and the day."""

    providers: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    sort: str = "blended"
    descending: bool = False
    output_share_pct: int = 25
    picks: tuple[str, ...] = ()
    input_tokens: int = 2_000
    output_tokens: int = 500
    requests: int = 10_000
    period: Period = "day"
    baseline: str | None = None
    budget_usd: float | None = None
    scope: Scope = "filtered"
    chart_metric: ChartMetric = "blended"
    log_scale: bool = False
    chart: ChartName = "ranked"
    all_bars: bool = False  # the ranked chart shows every model (up to its cap), not just the cheapest few
    as_of: str | None = None  # YYYY-MM-DD: the catalog as the stored history had it that day
    compare_sort: str = "month"  # Compare's table: one of `COMPARE_SORTS` (cheapest first by default)
    compare_descending: bool = False

    @property
    def output_share(self) -> float:
        return self.output_share_pct / 100

    def model_filter(self) -> ModelFilter:
        """The Browse filters: the view is one."""
        return self

    def workload(self) -> Workload:
        return Workload(self.input_tokens, self.output_tokens, self.requests, self.period)

    def without_filters(self) -> DashboardView:
        """The view with the Browse filters, sort and blend (`FILTER_FIELDS`) back at their defaults; the picks, the
        workload, the chart and the day kept."""
        return replace(self, **{name: getattr(_DEFAULT, name) for name in FILTER_FIELDS})


#: The view's fields the sidebar's filters set (and "Reset filters" clears): the Browse filters, sort and blend.
FILTER_FIELDS = (*(f.name for f in fields(ModelFilter)), "sort", "descending", "output_share_pct")


def vendor_choices(models: Catalog) -> list[str]:
    """The vendors the Vendor filter offers: every one the catalog names, case aside in order ("" for unknown)."""
    return sorted({record.vendor or "" for record in models.models}, key=str.lower)


def provider_choices(models: Catalog) -> list[str]:
    """The providers the Provider filter offers, case aside in order (the filter is drawn only when there are two)."""
    return sorted((info.name for info in models.providers), key=str.lower)


@dataclass(frozen=True, slots=True)
class ParsedView:
    """A view read from a link, and a sentence (markdown, quoting the link's values literally) for every
    parameter that was set aside."""

    view: DashboardView
    problems: tuple[str, ...] = field(default=())


class _Invalid(ValueError):
    """A parameter value that cannot be used; the message says what was expected."""


def _text(values: Sequence[str]) -> str:
    return values[-1]


def _model(values: Sequence[str]) -> str:
    return values[-1].strip()


def _names(values: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        for item in value.split(","):
            if item.strip():
                seen.setdefault(item.strip(), None)
    return tuple(seen)


def _known(allowed: Sequence[str], what: str, listed: str) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A reader of names that must each be one of `allowed` (tags, capabilities)."""

    def parse(values: Sequence[str]) -> tuple[str, ...]:
        names = _names(values)
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise _Invalid(f"unknown {what} {', '.join(map(code_span, unknown))} ({listed}: {', '.join(allowed)})")
        return names

    return parse


_tags = _known(TAGS, "tag", "tags")
_capabilities = _known(CAPABILITIES, "capability", "one of")


def _amount(maximum: float) -> Callable[[Sequence[str]], float]:
    def parse(values: Sequence[str]) -> float:
        try:
            number = float(values[-1])
        except ValueError:
            raise _Invalid("not a number") from None
        if not 0 <= number <= maximum:  # also false for nan
            raise _Invalid(f"expected a number from 0 to {maximum:,.0f}")
        return number

    return parse


def _count(maximum: int) -> Callable[[Sequence[str]], int]:
    def parse(values: Sequence[str]) -> int:
        text = values[-1].replace(",", "").replace("_", "")
        try:  # ASCII only: int() would also read Arabic-Indic and full-width digits
            number = int(text) if text.isascii() and len(text) <= 40 else None
        except ValueError:
            number = None
        if number is None:
            raise _Invalid("not a whole number")
        if not 0 <= number <= maximum:
            raise _Invalid(f"expected a whole number from 0 to {maximum:,}")
        return number

    return parse


def _share(values: Sequence[str]) -> int:
    return _count(100)(values)


def _flag(values: Sequence[str]) -> bool:
    value = values[-1].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise _Invalid("expected 1 or 0")


#: The days a link may name: a page arithmetic on it (`as_of` less 30 days) stays within Python's dates.
EARLIEST_DAY, LATEST_DAY = dt.date(1970, 1, 1), dt.date(9000, 12, 31)


def _date(values: Sequence[str]) -> str:
    text = values[-1].strip()
    try:
        if len(text) != 10:
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _Invalid("expected a date as YYYY-MM-DD") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _Invalid(f"expected a day from {EARLIEST_DAY} to {LATEST_DAY}")
    return day.isoformat()


def _choice(options: Collection[str]) -> Callable[[Sequence[str]], str]:
    def parse(values: Sequence[str]) -> str:
        if values[-1] not in options:
            raise _Invalid(f"expected one of {', '.join(options)}")
        return values[-1]

    return parse


def _format_number(value: float) -> str:
    text = repr(float(value))
    return text.removesuffix(".0")


@dataclass(frozen=True, slots=True)
class _Param:
    """One query parameter: its name in links, the view field it sets, how to read and write it."""

    name: str
    field: str
    parse: Callable[[Sequence[str]], Any]
    write: Callable[[Any], list[str]]


def _one(format_value: Callable[[Any], str] = str) -> Callable[[Any], list[str]]:
    return lambda value: [format_value(value)]


_PARAMS: tuple[_Param, ...] = (
    _Param("q", "search", _text, _one()),
    _Param("host", "providers", _names, list),  # not `provider`: the model page's `&provider=` names one host
    _Param("vendor", "vendors", _names, list),
    _Param("tag", "tags", _tags, list),
    _Param("min_in", "min_input", _amount(MAX_PRICE_USD), _one(_format_number)),
    _Param("max_in", "max_input", _amount(MAX_PRICE_USD), _one(_format_number)),
    _Param("min_out", "min_output", _amount(MAX_PRICE_USD), _one(_format_number)),
    _Param("max_out", "max_output", _amount(MAX_PRICE_USD), _one(_format_number)),
    _Param("min_size", "min_params_b", _amount(MAX_PARAMS_B), _one(_format_number)),
    _Param("max_size", "max_params_b", _amount(MAX_PARAMS_B), _one(_format_number)),
    _Param("known_size", "hide_unknown_size", _flag, _one(lambda value: "1" if value else "0")),
    _Param("min_ctx", "min_context", _count(MAX_TOKENS), _one()),
    _Param("cap", "capabilities", _capabilities, list),
    _Param("share", "output_share_pct", _share, _one()),
    _Param("pick", "picks", _names, list),
    _Param("in", "input_tokens", _count(MAX_TOKENS), _one()),
    _Param("out", "output_tokens", _count(MAX_TOKENS), _one()),
    _Param("req", "requests", _count(MAX_REQUESTS), _one()),
    _Param("per", "period", _choice(PERIODS), _one()),
    _Param("base", "baseline", _model, _one()),
    _Param("budget", "budget_usd", _amount(MAX_BUDGET_USD), _one(_format_number)),
    _Param("scope", "scope", _choice(SCOPES), _one()),
    _Param("metric", "chart_metric", _choice(CHART_METRICS), _one()),
    _Param("log", "log_scale", _flag, _one(lambda value: "1" if value else "0")),
    _Param("chart", "chart", _choice(CHARTS), _one()),
    _Param("all_bars", "all_bars", _flag, _one(lambda value: "1" if value else "0")),
    _Param("as_of", "as_of", _date, _one()),
)
#: The query parameter names a dashboard link can carry (besides `sort` and `csort`).
PARAM_NAMES = ("sort", "csort") + tuple(param.name for param in _PARAMS)
_DEFAULT = DashboardView()


def _values(raw: str | Sequence[str]) -> list[str]:
    return [raw] if isinstance(raw, str) else list(raw)


def parse_params(params: Mapping[str, str | Sequence[str]]) -> ParsedView:
    """The view a link's query parameters describe; unknown names are left alone, bad values set aside."""
    changes: dict[str, Any] = {}
    problems = []
    for param in _PARAMS:
        values = _values(params.get(param.name, ()))
        if not values:
            continue
        try:
            changes[param.field] = param.parse(values)
        except _Invalid as reason:
            problems.append(f"Ignored {code_span(f'{param.name}={values[-1]}')} in the link: {reason}.")
    if changes.get("search") == "":
        del changes["search"]
    if changes.get("baseline") == "":
        del changes["baseline"]
    if len(changes.get("picks", ())) > MAX_PICKS:
        problems.append(f"Kept the first {MAX_PICKS} of {len(changes['picks'])} picked models in the link.")
        changes["picks"] = changes["picks"][:MAX_PICKS]
    for name, keys, (key_field, descending) in (
        ("sort", SORT_KEYS, ("sort", "descending")),
        ("csort", COMPARE_SORTS, ("compare_sort", "compare_descending")),
    ):
        sort_values = _values(params.get(name, ()))
        if sort_values:
            key = sort_values[-1].strip()
            if key.removeprefix("-") in keys:
                changes[key_field] = key.removeprefix("-")
                changes[descending] = key.startswith("-")
            else:
                problems.append(f"Ignored {code_span(f'{name}={key}')} in the link: sort by one of {', '.join(keys)}.")
    return ParsedView(replace(_DEFAULT, **changes), tuple(problems))


def to_params(view: DashboardView, always: Collection[str] = ()) -> dict[str, list[str]]:
    """The query parameters of a link to `view`: what differs from the default view, and the ones named in
    `always` (Compare's workload) whatever their value."""
    params: dict[str, list[str]] = {}
    for param in _PARAMS:
        value = getattr(view, param.field)
        if param.name in always or (value != getattr(_DEFAULT, param.field) and value not in ("", ())):
            params[param.name] = param.write(value)
    if (view.sort, view.descending) != (_DEFAULT.sort, _DEFAULT.descending):
        params["sort"] = [("-" if view.descending else "") + view.sort]
    if (view.compare_sort, view.compare_descending) != (_DEFAULT.compare_sort, _DEFAULT.compare_descending):
        params["csort"] = [("-" if view.compare_descending else "") + view.compare_sort]
    return params


def restrict_to_catalog(view: DashboardView, models: Catalog) -> tuple[DashboardView, tuple[str, ...]]:
    """The view without the vendors, models and providers the catalog `models` lacks, and a sentence for each one
    dropped."""
    vendors, providers = set(vendor_choices(models)), {info.name for info in models.providers}
    names = {record.model for record in models.models}
    problems = [f"No provider {code_span(name)} in this catalog; filter removed." for name in view.providers
                if name not in providers]  # fmt: skip
    problems += [
        f"No vendor {code_span(name)} in this catalog; filter removed." for name in view.vendors if name not in vendors
    ]
    problems += [
        f"No model {code_span(model)} in this catalog; pick removed." for model in view.picks if model not in names
    ]
    baseline = view.baseline
    if baseline is not None and baseline not in names:
        problems.append(f"No model {code_span(baseline)} in this catalog; baseline cleared.")
        baseline = None
    kept = replace(
        view,
        providers=tuple(name for name in view.providers if name in providers),
        vendors=tuple(vendor for vendor in view.vendors if vendor in vendors),
        picks=tuple(model for model in view.picks if model in names),
        baseline=baseline,
    )
    return kept, tuple(problems)
