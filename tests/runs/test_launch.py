"""A dashboard run started or resumed without Streamlit (catalog/runs/launch.py): every refusal comes before anything
is recorded or sent, a started run is recorded with its owner and runs to the end in its thread, and only its owner
resumes it, never while it runs. Real runners against the loopback fake gateway, a real store on SQLite.

Also the sessions' marks that keep a dashboard run going (`mark_seen`, at most every 30 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fake_gateway import FakeGateway, running_fake
from runfixtures import PROFILES, TERSE, THINKER, TOKEN

from catalog.gateway.config import reply_limits, resolve_config
from catalog.gateway.targets import trusted_hosts
from catalog.history import Store
from catalog.history.schema import session_seen
from catalog.records import Catalog
from catalog.runs.launch import LaunchError, Problem, Sending, launch, resumable, start_run
from catalog.runs.owners import SEEN_EVERY_S, RunOwners, mark_seen, seen_due
from catalog.runs.prompts import prompts_given
from catalog.runs.runner import resolve_models, run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import FINISHED, Run, RunPrompt, RunSettings
from catalog.settings import read_settings
from catalog.sources import load_catalog
from catalog.spend import Caps, Spender, SpendLedger, Visitor, VisitorBounds, anonymous, session_owner
from catalog.spend.paying import Spending

CATALOG = load_catalog()
A, B = Visitor("session-a"), Visitor("session-b")
BOUNDS = VisitorBounds(max_tokens=512, max_repeats=2, max_prompts=3, max_concurrency=4)
PROMPTS = prompts_given("What is 2+2?\nName a colour\nSay hi", "txt")
SETTINGS = RunSettings(max_tokens=512, concurrency=2, max_usd=1.0)


@pytest.fixture
def lava(tmp_path: Path) -> Iterator[tuple[Store, FakeGateway]]:
    with (
        running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as fake,
        Store(f"sqlite:///{tmp_path / 'launch.sqlite3'}") as store,
    ):
        yield store, fake


def sending(fake, store: Store, *, operator_pays: bool = False, operators: Catalog | None = None) -> Sending:
    settings = read_settings({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    config = resolve_config(settings)
    assert config is not None
    spender = Spender(SpendLedger(store, Caps(5.0, 5.0, 5.0)), anonymous(A.session), "public")
    paying = Spending(spender, BOUNDS, operators or CATALOG) if operator_pays else Spending(None, BOUNDS)
    return Sending(config, reply_limits(settings), trusted_hosts(settings), paying, A, settings)


def records(*models: str) -> list:
    return resolve_models(CATALOG, list(models))


def seen_sessions(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return [row.session for row in connection.execute(sa.select(session_seen)).all()]


def test_a_started_run_is_recorded_with_its_owner_and_runs_to_the_end(lava):
    store, fake = lava
    job = start_run(store, CATALOG, records(TERSE, THINKER), PROMPTS, 1, SETTINGS, "mine", sending(fake, store))
    job.join(30)
    assert job.outcome is not None and job.outcome.status == FINISHED and job.error is None
    assert fake.chat_requests == 6
    owners = RunOwners(store)
    assert owners.owns(job.run_id, A.owner) and not owners.owns(job.run_id, B.owner)
    assert seen_sessions(store) == [anonymous(A.session)]  # seen from the start, so the keeper can tell it left
    assert not owners.running_anywhere(job.run_id, 60)  # the lease is let go once it ends


@pytest.mark.parametrize(
    ("operator_pays", "settings", "problem", "said"),
    [
        (True, RunSettings(max_tokens=64, concurrency=8, max_usd=1.0), Problem.BOUNDS,
         "On the operator's credential a run needs at most 4 requests in flight, not 8."),
        (True, RunSettings(max_tokens=64, concurrency=2), Problem.BOUNDS, "a budget above $0.00"),
        (False, RunSettings(max_tokens=64, concurrency=8, max_usd=0.000001), Problem.CHECK, "below the worst case"),
    ],
)  # fmt: skip
def test_a_run_refused_records_nothing_and_sends_nothing(lava, operator_pays, settings, problem, said):
    store, fake = lava
    with pytest.raises(LaunchError) as refused:
        start_run(
            store, CATALOG, records(TERSE), PROMPTS, 1, settings, "x", sending(fake, store, operator_pays=operator_pays)
        )
    assert refused.value.problem is problem and said in str(refused.value)
    assert TrialStore(store).runs() == [] and fake.chat_requests == 0


def test_on_the_operators_credential_a_model_their_catalog_lacks_is_refused(lava):
    store, fake = lava
    theirs = Catalog(CATALOG.providers, tuple(r for r in CATALOG.models if r.model != THINKER))
    paying = sending(fake, store, operator_pays=True, operators=theirs)
    with pytest.raises(LaunchError, match="not in this server's own catalog") as refused:
        start_run(store, CATALOG, records(TERSE, THINKER), PROMPTS, 1, SETTINGS, "x", paying)
    assert refused.value.problem is Problem.UNPRICED and TrialStore(store).runs() == []


def _recorded(store: Store, prompts: list[RunPrompt], owner: str | None) -> Run:
    trials = TrialStore(store)
    run = trials.create_run("earlier", [(r.provider, r.model) for r in records(TERSE)], prompts, 1, SETTINGS)
    RunOwners(store).claim(run.id, owner)
    return run


def test_only_its_owner_resumes_a_run_and_never_while_it_runs(lava):
    store, fake = lava
    run = _recorded(store, run_prompts(PROMPTS), A.owner)
    with pytest.raises(LaunchError, match="Only the session that started this run") as refused:
        resumable(store, CATALOG, run, B.owner, 60)
    assert refused.value.problem is Problem.NOT_OWNER
    assert RunOwners(store).take_lease(run.id, "another replica", 60)
    with pytest.raises(LaunchError, match="is running now") as refused:
        resumable(store, CATALOG, run, A.owner, 60)
    assert refused.value.problem is Problem.RUNNING and fake.chat_requests == 0


def test_a_run_without_its_prompts_text_or_its_models_cannot_be_resumed(lava):
    store, _ = lava
    kept = run_prompts(PROMPTS)
    textless = _recorded(store, [RunPrompt(p.number, p.label, p.sha256, p.chars) for p in kept], A.owner)
    with pytest.raises(LaunchError, match="kept no prompt text") as refused:
        resumable(store, CATALOG, textless, A.owner, 60)
    assert refused.value.problem is Problem.NO_TEXT
    run = _recorded(store, run_prompts(PROMPTS), A.owner)
    without = Catalog(CATALOG.providers, tuple(r for r in CATALOG.models if r.model != TERSE))
    with pytest.raises(LaunchError, match="no model") as refused:
        resumable(store, without, run, A.owner, 60)
    assert refused.value.problem is Problem.CHECK


def test_a_resumed_run_sends_its_stored_prompts_and_never_a_trial_twice(lava):
    store, fake = lava
    run = _recorded(store, run_prompts(PROMPTS), A.owner)
    prompts, chosen = resumable(store, CATALOG, run, A.owner, 60)
    assert [(p.label, p.messages) for p in prompts] == [(p.label, p.messages) for p in PROMPTS]
    assert [(r.provider, r.model) for r in chosen] == [(r.provider, r.model) for r in records(TERSE)]
    job = launch(store, CATALOG, run, prompts, chosen, sending(fake, store))
    job.join(30)
    assert job.outcome is not None and job.outcome.status == FINISHED and fake.chat_requests == 3
    again = launch(store, CATALOG, run, *resumable(store, CATALOG, run, A.owner, 60), sending(fake, store))
    again.join(30)
    assert fake.chat_requests == 3 and len(TrialStore(store).trials(run.id)) == 3


def test_a_session_is_marked_seen_at_most_every_30_seconds(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'seen.sqlite3'}") as store:
        owners = RunOwners(store)
        assert seen_due(None, 5.0) and not seen_due(100.0, 100.0 + SEEN_EVERY_S - 0.1)
        assert seen_due(100.0, 100.0 + SEEN_EVERY_S)
        assert mark_seen(owners, A.session, None, 100.0) == 100.0
        assert seen_sessions(store) == [anonymous(A.session)]
        assert session_owner(A.session) == A.owner  # what the keeper checks is what a visitor's run is owned by
        with store.engine.begin() as connection:
            connection.execute(session_seen.delete())
        assert mark_seen(owners, A.session, 100.0, 110.0) == 100.0 and seen_sessions(store) == []  # not due: no write
        assert mark_seen(owners, A.session, 100.0, 131.0) == 131.0 and seen_sessions(store) == [anonymous(A.session)]
        with store.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE session_seen"))
        assert mark_seen(owners, A.session, 131.0, 200.0) == 131.0  # not written: tried again on the next call
