"""A structured, enriched catalog of the LLMs a provider offers, read from its Lava gateway page."""

from __future__ import annotations

from catalog.costs import CostLine, rank_by_cost, request_cost
from catalog.enrich import FLAG_LABELS, TAGS, enrich, maker, model_key
from catalog.parser import parse_page
from catalog.query import ModelFilter, filter_models, sort_models
from catalog.records import (
    DEFAULT_OUTPUT_SHARE,
    SCHEMA_FIELDS,
    Catalog,
    CatalogError,
    ModelRecord,
    ParsedPage,
    ParseError,
    PriceRow,
    ProviderInfo,
    SourceError,
    blended_price,
)
from catalog.sources import DEFAULT_PAGE, build_catalog, load_catalog, load_page

__all__ = [
    "DEFAULT_OUTPUT_SHARE",
    "DEFAULT_PAGE",
    "FLAG_LABELS",
    "SCHEMA_FIELDS",
    "TAGS",
    "Catalog",
    "CatalogError",
    "CostLine",
    "ModelFilter",
    "ModelRecord",
    "ParseError",
    "ParsedPage",
    "PriceRow",
    "ProviderInfo",
    "SourceError",
    "blended_price",
    "build_catalog",
    "enrich",
    "filter_models",
    "load_catalog",
    "load_page",
    "maker",
    "model_key",
    "parse_page",
    "rank_by_cost",
    "request_cost",
    "sort_models",
]
