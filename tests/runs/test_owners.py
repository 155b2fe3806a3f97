"""Runs belong to who started them: visitors see their own and shared runs; a running run cannot be resumed
anywhere; a dashboard run whose owner left stops. Real runners against the loopback fake gateway."""

from __future__ import annotations

import threading
import time

import pytest
from cli_runner import run
from fake_gateway import running_fake
from runfixtures import MODELS, PROFILES, TERSE, TOKEN, model_flags, run_env, stored_trials, write_prompts  # noqa: F401
from storedb import db_url, pg_url  # noqa: F401  (fixtures)

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import resolve_config
from catalog.history import Store
from catalog.runs.owners import ResumeRefused, RunOwners, leased
from catalog.runs.prompts import read_prompts
from catalog.runs.runner import Runner, resolve_models, run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import FINISHED, INTERRUPTED, RunSettings
from catalog.sources import load_catalog
from catalog.spend import Visitor

CATALOG = load_catalog()
A, B = Visitor("session-a"), Visitor("session-b")


def _new_run(store: Store, tmp_path, count: int = 4) -> tuple[TrialStore, object, list]:
    trials = TrialStore(store)
    prompts = read_prompts(str(write_prompts(tmp_path, count)))
    records = resolve_models(CATALOG, [TERSE])
    run_ = trials.create_run("r", [(r.provider, r.model) for r in records], run_prompts(prompts), 1, RunSettings())
    return trials, run_, prompts


def test_session_b_sees_neither_a_s_run_nor_a_cli_run_but_sees_shared_ones(db_url, tmp_path):  # noqa: F811
    with Store(db_url) as store:
        owners = RunOwners(store)
        trials = TrialStore(store)
        runs = []
        for owner in (A.owner, None, None):
            runs.append(_new_run(store, tmp_path)[1])
            owners.claim(runs[-1].id, owner)
        owners.share(runs[2].id)
        everything = trials.runs()
        assert {r.id for r in owners.visible(everything, A.owner)} == {runs[0].id, runs[2].id}
        assert {r.id for r in owners.visible(everything, B.owner)} == {runs[2].id}
        assert owners.owns(runs[0].id, A.owner) and not owners.owns(runs[2].id, B.owner)  # shared: read-only
        owners.share(runs[2].id, False)
        assert owners.visible(trials.runs(), B.owner) == []


def test_runs_share_n_and_run_share_from_the_cli(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 2)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        assert run("run", str(prompts), *model_flags(TERSE), "--share").returncode == 0
        assert run("run", str(prompts), *model_flags(TERSE)).returncode == 0
    with Store(run_env) as store:
        shared = RunOwners(store).ownership([1, 2])
        assert shared[1].shared and not shared[2].shared and shared[1].owner is None
    result = run("runs", "share", "2")
    assert result.returncode == 0 and "run 2: shared, read-only" in result.stdout
    assert run("runs", "unshare", "1").returncode == 0
    with Store(run_env) as store:
        assert [o.shared for o in RunOwners(store).ownership([1, 2]).values()] == [False, True]
    missing = run("runs", "share", "9")
    assert missing.returncode == 1 and "no run 9" in missing.stderr


def _runner(store: Store, fake, trials, run_, prompts) -> tuple[Runner, GatewayClient]:
    client = GatewayClient(resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN}))
    return Runner(trials, client, CATALOG, run_, prompts, resolve_models(CATALOG, [TERSE])), client


def test_resuming_a_running_run_is_refused_anywhere(db_url, tmp_path):  # noqa: F811
    slow = {model: PROFILES[model].__class__(words=5, delay_s=0.3) for model in MODELS}
    with running_fake(forward_tokens={TOKEN}, profiles=slow) as fake, Store(db_url) as store:
        trials, run_, prompts = _new_run(store, tmp_path, 6)
        runner, client = _runner(store, fake, trials, run_, prompts)
        owners = RunOwners(store)
        outcome = []

        def first() -> None:
            with leased(owners, run_.id, "replica-1", 5, runner.stop):
                outcome.append(runner.execute())

        thread = threading.Thread(target=first)
        thread.start()
        time.sleep(0.2)
        assert owners.running_anywhere(run_.id, 5)
        sent = fake.chat_requests
        with Store(db_url) as other, pytest.raises(ResumeRefused, match=f"run {run_.id} is running now"):
            with leased(RunOwners(other), run_.id, "replica-2", 5, lambda: None):  # another replica's store
                pytest.fail("a second runner started")
        thread.join()
        client.close()
        assert outcome[0].status == FINISHED and fake.chat_requests - sent <= 6
        assert len(stored_trials(db_url, run_.id)) == 6 and not owners.running_anywhere(run_.id, 5)
        with leased(owners, run_.id, "replica-2", 5, lambda: None):
            pass  # once it stopped, it may be resumed


def test_a_dashboard_run_whose_owner_left_stops(db_url, tmp_path):  # noqa: F811
    slow = {model: PROFILES[model].__class__(words=5, delay_s=0.2) for model in MODELS}
    with running_fake(forward_tokens={TOKEN}, profiles=slow) as fake, Store(db_url) as store:
        trials, run_, prompts = _new_run(store, tmp_path, 40)
        owners = RunOwners(store)
        owners.claim(run_.id, A.owner)
        owners.seen(A.owner.removeprefix("session:"))  # the page was open when the run started, then closed
        runner, client = _runner(store, fake, trials, run_, prompts)
        started = time.monotonic()
        with leased(owners, run_.id, "page", 0.3, runner.stop, owner=A.owner, gone_s=0.5):
            outcome = runner.execute()
        client.close()
        assert outcome.status == INTERRUPTED and time.monotonic() - started < 5
        assert 0 < len(stored_trials(db_url, run_.id)) < 40


def test_a_run_whose_owner_is_still_there_goes_on(db_url, tmp_path):  # noqa: F811
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as fake, Store(db_url) as store:
        trials, run_, prompts = _new_run(store, tmp_path, 6)
        owners = RunOwners(store)
        owners.seen(A.owner.removeprefix("session:"))
        runner, client = _runner(store, fake, trials, run_, prompts)
        with leased(owners, run_.id, "page", 0.3, runner.stop, owner=A.owner, gone_s=60):
            outcome = runner.execute()
        client.close()
        assert outcome.status == FINISHED
