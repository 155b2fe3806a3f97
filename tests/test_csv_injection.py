"""Every CSV the product writes guards a cell a spreadsheet would run as a formula (OWASP's CSV injection)."""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.cli.main import _export
from catalog.dashboard.tables import costs_frame, models_frame, to_csv
from catalog.formats.cells import FORMULA_STARTS, csv_cell
from catalog.records import Catalog
from catalog.runs.report import RunReport, model_summary
from catalog.runs.trials import Run, RunSettings, now
from catalog.sources import load_catalog
from catalog.workload import Workload, workload_costs

CATALOG = load_catalog()


def _hostile_catalog(text: str) -> Catalog:
    record = CATALOG.models[0]._replace(model=text, vendor=text, display_name=text)
    return Catalog(CATALOG.providers, (record,))


def _browse(models: Catalog) -> str:
    return to_csv(models_frame(models.models, 0.25)).decode()


def _compare(models: Catalog) -> str:
    lines = workload_costs(models.models, Workload(2000, 500, 10), models.models[0], 1.0)
    return to_csv(costs_frame(lines)).decode()


def _export_csv(models: Catalog, full: bool) -> str:
    out = io.StringIO()
    _export(models, argparse.Namespace(format="csv", full=full), out, io.StringIO())
    return out.getvalue()


def _report(models: Catalog) -> str:
    record = models.models[0]
    run = Run(1, "hostile", now(), "finished", 1, 1, ((record.provider, record.model),), RunSettings())
    return RunReport(run, (model_summary(record.provider, record.model, []),)).csv_text()


#: Every CSV writer: Browse and Compare downloads, `export --format csv` (plain and --full), the run report.
WRITERS: dict[str, Callable[[Catalog], str]] = {
    "browse": _browse,
    "compare": _compare,
    "export": lambda models: _export_csv(models, False),
    "export --full": lambda models: _export_csv(models, True),
    "report": _report,
}

_ids = st.text(alphabet=st.sampled_from("=+-@\t\rab1 ()/"), min_size=1, max_size=12).filter(
    lambda text: text.strip() == text or text.startswith(FORMULA_STARTS)
)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@settings(max_examples=40, deadline=None)
@given(_ids)
def test_every_csv_writer_guards_a_formula_in_a_model_id(model_id):
    expected = "'" + model_id if model_id.startswith(FORMULA_STARTS) else model_id
    for name, writer in WRITERS.items():
        cells = _cells(writer(_hostile_catalog(model_id)))
        assert expected in cells, name
        if expected != model_id:
            assert model_id not in cells, name


def test_the_example_from_the_issue():
    for name, writer in WRITERS.items():
        assert "'=1+1" in _cells(writer(_hostile_catalog("=1+1"))), name


def test_numbers_stay_numbers():
    assert csv_cell(-0.5) == -0.5 and csv_cell(-3) == -3 and csv_cell("-0.5") == "'-0.5"
    assert csv_cell(["=a", "b"]) == "'=a;b" and csv_cell("a=b") == "a=b"
