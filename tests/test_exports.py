"""Clean numbers: money with a true minus sign, exports without binary float noise."""

from __future__ import annotations

import io
import re

import pytest

from catalog.cli.main import main
from catalog.costs import usd
from catalog.dashboard.tables import costs_frame, models_frame, to_csv
from catalog.formats.cells import csv_cell
from catalog.sources import load_catalog
from catalog.workload import Workload, workload_costs

CATALOG = load_catalog()
#: More decimals than any price or cost keeps: the mark of float noise such as 0.7000000000000001.
NOISE = re.compile(r"\d\.\d{10,}")


@pytest.mark.parametrize(
    ("value", "text"), [(-136.5, "\u2212$136.50"), (-0.00001, "$0.00"), (1234.5, "$1,234.50"), (-0.0, "$0.00")]
)
def test_money_has_a_true_minus_and_no_negative_zero(value, text):
    assert usd(value) == text


def test_a_csv_cell_flattens_lists_and_drops_float_noise():
    assert csv_cell(["a", "b"]) == "a;b" and csv_cell(0.7000000000000001) == 0.7 and csv_cell("x") == "x"


@pytest.mark.parametrize("share", [0.0, 0.25, 0.3, 0.7, 1.0])
def test_the_browse_csv_has_no_float_noise(share):
    assert NOISE.findall(to_csv(models_frame(CATALOG.models, share)).decode()) == []


def test_the_compare_csv_has_no_float_noise():
    lines = workload_costs(CATALOG.models, Workload(2000, 500, 10_000), CATALOG.models[3], 100.0)
    assert NOISE.findall(to_csv(costs_frame(lines)).decode()) == []


def test_the_cli_csv_export_has_no_float_noise():
    out = io.StringIO()
    assert main(["export", "--format", "csv"], stdout=out, stderr=io.StringIO()) == 0
    assert "blended_usd_per_mtok" in out.getvalue() and NOISE.findall(out.getvalue()) == []


def test_the_cli_json_export_has_no_float_noise():
    out = io.StringIO()
    assert main(["export", "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    assert '"blended_usd_per_mtok": 0.7,' in out.getvalue() and NOISE.findall(out.getvalue()) == []


@pytest.mark.parametrize("share", [0.0, 0.25, 0.3, 0.7, 1.0])
def test_every_seed_blended_price_is_exact_to_a_billionth(share):
    from decimal import Decimal

    from catalog.records import blended_price

    assert len(CATALOG.models) == 52
    for record in CATALOG.models:
        exact = (1 - Decimal(str(share))) * Decimal(str(record.input_usd_per_mtok)) + Decimal(str(share)) * Decimal(
            str(record.output_usd_per_mtok)
        )
        blended = blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, share)
        assert Decimal(repr(blended)) == exact.quantize(Decimal("1e-9")).normalize(), record.model
        if share == 0.25:
            assert Decimal(repr(record.blended_usd_per_mtok)) == exact.normalize(), record.model


def test_the_browse_json_has_no_float_noise():
    from catalog.dashboard.tables import to_json

    assert NOISE.findall(to_json(models_frame(CATALOG.models, 0.3)).decode()) == []


def test_sizes_are_whole_numbers_in_the_browse_csv():
    text = to_csv(models_frame(CATALOG.models, 0.25)).decode()
    assert ",405," in text and "405.0" not in text and ",1.0," not in text.split("Llama-3.2-1B")[-1]
