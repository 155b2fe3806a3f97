"""Checks in the store (schema 4): a schema-3 database with a run upgrades and keeps it; verdicts are kept per
judging, never twice for one answer in one judging; on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from storedb import db_url, pg_url  # noqa: F401  (fixtures)

from catalog.history import Store
from catalog.history.schema import SCHEMA_VERSION, UPGRADES, create_first_schema, current_version
from catalog.runs.check_store import CheckStore, runs_with_checks
from catalog.runs.checks import CheckResult, parse_checks
from catalog.runs.grading import TrialVerdict
from catalog.runs.owners import RunOwners
from catalog.runs.store import TrialStore
from catalog.runs.trials import RunPrompt, RunSettings
from catalog.spend import Visitor

CHECKS = parse_checks([{"type": "icontains", "value": "paris"}, {"type": "judge", "value": "Names Paris."}])


def verdict(number: int, passed: bool | None, judging: int = 1, cost: float | None = None) -> TrialVerdict:
    results = (CheckResult("icontains", True), CheckResult("judge", passed, "because"))
    return TrialVerdict((number, 0, "Acme", "a"), results, passed, judging, 100, 20, cost)


def test_an_older_database_upgrades_and_keeps_checks_and_verdicts_per_judging(db_url):  # noqa: F811
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        create_first_schema(connection)
        for step in range(1, 3):
            UPGRADES[step](connection)
        connection.execute(sa.text("UPDATE schema_version SET version = 3"))
        connection.execute(
            sa.text(
                "INSERT INTO runs (name, created_at, status, prompts, repeat, models, settings) VALUES "
                "('kept', '2026-12-01 10:00:00', 'finished', 1, 1, '[[\"Acme\", \"a\"]]', '{}')"
            )
        )
    engine.dispose()
    with Store(db_url) as store:
        with store.engine.connect() as connection:
            assert current_version(connection) == SCHEMA_VERSION
        trials = TrialStore(store)
        assert [run.name for run in trials.runs()] == ["kept"]  # the run from before checks is still there
        checks = CheckStore(store)
        assert checks.prompt_checks(1) == {} and checks.verdicts(1) == {} and checks.judgings(1) == []
        checks.save_prompt_checks(1, {0: CHECKS, 1: ()})
        assert checks.prompt_checks(1) == {0: CHECKS}
        assert checks.record(1, [verdict(0, True, cost=0.0001), verdict(1, False)]) == 2
        assert checks.record(1, [verdict(0, False), verdict(2, None)]) == 1  # (0, judging 1) is kept as it was
        assert checks.record(1, [verdict(0, False, judging=2, cost=0.0002)]) == 1
    with Store(db_url) as again:
        checks = CheckStore(again)
        assert checks.judgings(1) == [1, 2]
        first = checks.verdicts(1, 1)
        assert {cell[0]: v.passed for cell, v in first.items()} == {0: True, 1: False, 2: None}
        assert first[(0, 0, "Acme", "a")].results == verdict(0, True).results
        assert (
            first[(0, 0, "Acme", "a")].judge_cost_usd == 0.0001 and first[(0, 0, "Acme", "a")].judge_input_tokens == 100
        )
        latest = checks.verdicts(1)
        assert list(latest) == [(0, 0, "Acme", "a")] and latest[(0, 0, "Acme", "a")].passed is False


def test_a_visitor_reads_their_own_and_the_shared_runs_with_checks_newest_first(db_url):  # noqa: F811
    mine, theirs = Visitor("session-mine").owner, Visitor("session-theirs").owner
    with Store(db_url) as store:
        trials, checks, owners = TrialStore(store), CheckStore(store), RunOwners(store)
        prompt = [RunPrompt(0, "q", "x", 1, (("user", "q"),))]
        for name, models, owner, checked, shared in [
            ("mine a", [("Acme", "a")], mine, True, False),
            ("mine unchecked", [("Acme", "a")], mine, False, False),
            ("theirs", [("Acme", "a")], theirs, True, False),
            ("shared b", [("Acme", "b")], theirs, True, True),
            ("mine a and b", [("Acme", "a"), ("Acme", "b")], mine, True, False),
        ]:
            run = trials.create_run(name, models, prompt, 1, RunSettings())
            owners.claim(run.id, owner, shared=shared)
            if checked:
                checks.save_prompt_checks(run.id, {0: CHECKS})
        found = runs_with_checks(trials, mine)
        assert [run.name for run in found] == ["mine a and b", "shared b", "mine a"]
        assert [run.name for run in runs_with_checks(trials, mine, ("Acme", "b"))] == ["mine a and b", "shared b"]
        assert [run.name for run in runs_with_checks(trials, mine, most=1)] == ["mine a and b"]
        assert [run.name for run in runs_with_checks(trials, theirs)] == ["shared b", "theirs"]
