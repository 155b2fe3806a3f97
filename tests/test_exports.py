"""Clean numbers: money with a true minus sign, exports without binary float noise."""

from __future__ import annotations

import io
import re

import pytest

from catalog.cli.main import main
from catalog.costs import usd
from catalog.dashboard.tables import costs_frame, models_frame, to_csv
from catalog.exports import csv_cell
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
