"""A visitor's run on the operator's credential holds each request in the ledger: the run cap stops it plainly,
what it spent is settled to what the fake's replies cost, and `python -m catalog spend` shows the day."""

from __future__ import annotations

import io

import pytest
from cli_runner import run
from fake_gateway import Profile, running_fake
from runs.runfixtures import TERSE, run_env, write_prompts  # noqa: F401  (fixture)

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import resolve_config
from catalog.history import Store
from catalog.runs.paid import SPEND_CAP
from catalog.runs.prompts import read_prompts
from catalog.runs.runner import Runner, resolve_models, run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import STOPPED_BUDGET, RunSettings
from catalog.sources import load_catalog
from catalog.spend import Caps, Spender, SpendLedger, anonymous, worst_case_usd

CATALOG = load_catalog()
TOKEN = "fwd_tok_RUN_SPENDING"


def test_a_visitor_run_stops_at_the_run_cap_and_the_ledger_holds_what_it_spent(run_env, tmp_path):  # noqa: F811
    prompts = read_prompts(str(write_prompts(tmp_path, 40)))
    record = resolve_models(CATALOG, [TERSE])[0]
    worst = max(worst_case_usd(record, [content for _, content in p.messages], 256) for p in prompts)
    with running_fake(forward_tokens={TOKEN}, profiles={TERSE: Profile(words=8)}) as fake, Store(run_env) as store:
        trials = TrialStore(store)
        settings = RunSettings(max_tokens=256, concurrency=1)
        run_ = trials.create_run("visitor", [(record.provider, record.model)], run_prompts(prompts), 1, settings)
        ledger = SpendLedger(store, Caps(1.0, 1.0, 1.2 * worst))  # one worst case fits in the run cap, not two
        spender = Spender(ledger, anonymous("visitor"), "public")
        client = GatewayClient(resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN}))
        with client:
            outcome = Runner(trials, client, CATALOG, run_, prompts, [record], spender=spender).execute()
        assert outcome.status == STOPPED_BUDGET and "this run's cap" in (outcome.message or "")
        recorded = trials.trials(run_.id)
        refused = [t for t in recorded if t.outcome == SPEND_CAP]
        assert len(refused) == 1 and "Not sent" in (refused[0].error or "")
        sent = [t for t in recorded if t.ok]
        # Settled to the measured cost, each far below its worst case, so more than one was sent; not all 40.
        assert fake.chat_requests == len(sent) and 1 < len(sent) < 39
        assert ledger.spent_today() == pytest.approx(sum(t.cost_usd for t in sent))


def test_the_spend_command_shows_today_by_mode_and_numbered_sessions(run_env):  # noqa: F811
    with Store(run_env) as store:
        ledger = SpendLedger(store, Caps(1.0, 5.0, 1.0))
        ledger.settle(ledger.reserve(session=anonymous("a"), mode="public", worst_usd=0.5), 0.0012)
        ledger.reserve(session=anonymous("b"), mode="passphrase", worst_usd=0.25)
    result = run("spend")
    assert result.returncode == 0, result.stderr
    assert "today (UTC): $0.2512 of the daily cap $5.00" in result.stdout
    assert "public" in result.stdout and "passphrase" in result.stdout and "visitor 2" in result.stdout
    assert anonymous("a") not in result.stdout and "2 sessions" in result.stdout
    assert "None" not in result.stdout


def test_spend_hash_prints_a_hash_that_the_passphrase_matches(monkeypatch):
    from catalog.cli import spend
    from catalog.spend import passphrase_matches

    answers = iter(["a long operator passphrase"] * 2)
    monkeypatch.setattr(spend.getpass, "getpass", lambda *_a, **_k: next(answers))
    out = io.StringIO()
    assert spend._hash(out, io.StringIO()) == 0
    assert passphrase_matches(out.getvalue().strip(), "a long operator passphrase")
