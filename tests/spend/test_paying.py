"""Whose credential pays for a visitor's requests, and what they may cost (catalog/spend/paying.py), decided without
Streamlit: real gateway configs resolved from settings, real requests, a real ledger on SQLite."""

from __future__ import annotations

import pytest

from catalog.gateway.config import ConfigError, SessionCredential, SessionKind, resolve_config
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.history import Store
from catalog.records import Catalog
from catalog.sources import load_catalog
from catalog.spend import Caps, Spender, SpendLedger, Unpriced, VisitorBounds, worst_case_usd
from catalog.spend.ledger import Hold
from catalog.spend.paying import GET_A_CREDENTIAL, Holder, Spending, cannot_send, expected_holder, usable_credential

OPERATORS = {"LAVA_FORWARD_TOKEN": "fwd_tok_OPERATORS_OWN"}
BROKEN = {"LAVA_BASE_URL": "ftp://not-a-gateway"}  # an unusable setting: resolving raises ConfigError
PASTED = SessionCredential(SessionKind.FORWARD_TOKEN, "fwd_tok_VISITORS_OWN")
BLANK = SessionCredential(SessionKind.FORWARD_TOKEN, "   ")
BOUNDS = VisitorBounds(max_tokens=512, max_repeats=2, max_prompts=10, max_concurrency=4)
CATALOG = load_catalog()
HINT = " Or unlock."


def resolver(settings: dict[str, str], session: SessionCredential | None = None):
    return lambda: resolve_config(settings, session)


def never() -> bool:
    raise AssertionError("asked whether the visitor may spend the operator's credential, which did not matter")


def test_a_pasted_credential_is_the_visitors_whatever_the_spending_mode():
    config, whose = usable_credential(True, never, resolver(OPERATORS, PASTED))
    assert config is not None and config.pasted and whose is Holder.YOURS


def test_the_operators_credential_only_for_a_visitor_who_may_spend_it():
    config, whose = usable_credential(False, lambda: True, resolver(OPERATORS))
    assert config is not None and not config.pasted and whose is Holder.OPERATORS
    assert usable_credential(False, lambda: False, resolver(BROKEN)) == (None, Holder.NONE)  # never even resolved
    assert usable_credential(False, lambda: True, resolver({})) == (None, Holder.NONE)  # the server has none


def test_a_blank_paste_is_the_operators_credential_so_the_mode_decides():
    assert usable_credential(True, lambda: False, resolver(OPERATORS, BLANK)) == (None, Holder.NONE)
    config, whose = usable_credential(True, lambda: True, resolver(OPERATORS, BLANK))
    assert config is not None and whose is Holder.OPERATORS


def test_unusable_operator_settings_raise_when_resolved():
    with pytest.raises(ConfigError, match="LAVA_BASE_URL"):
        usable_credential(False, lambda: True, resolver(BROKEN))


def test_whose_credential_the_control_names_before_it_is_drawn():
    assert expected_holder(True, never, resolver(BROKEN)) is Holder.YOURS
    assert expected_holder(False, lambda: True, resolver(OPERATORS)) is Holder.OPERATORS
    assert expected_holder(False, lambda: False, resolver(OPERATORS)) is Holder.NONE
    assert expected_holder(False, lambda: True, resolver(BROKEN)) is Holder.NONE  # the page says why when it sends


def test_why_a_visitor_cannot_send_ends_with_how_to_unlock():
    assert cannot_send(False, lambda: False, resolver(OPERATORS), lambda: HINT) == GET_A_CREDENTIAL + HINT
    assert cannot_send(False, lambda: True, resolver(OPERATORS), lambda: HINT) is None
    assert cannot_send(True, never, resolver({}, PASTED), lambda: HINT) is None
    assert cannot_send(False, lambda: True, resolver(BROKEN), lambda: HINT) is None  # explained when it sends


def request(model: str, text: str, max_tokens: int | None) -> ChatRequest:
    record = CATALOG.find(model)
    assert record is not None
    messages = (Message("system", "Be brief."), Message("user", text))
    return ChatRequest(
        record, "https://api.deepinfra.com/v1/openai/chat/completions", messages, ChatParams(max_tokens=max_tokens)
    )


def test_the_worst_case_of_several_requests_is_each_ones_at_the_operators_prices():
    first = request(CATALOG.models[0].model, "hello", 100)
    second = request(CATALOG.models[1].model, "é" * 300, None)
    expected = worst_case_usd(first.record, ["Be brief.", "hello"], 100) + worst_case_usd(
        second.record, ["Be brief.", "é" * 300], 0
    )
    assert Spending(None, BOUNDS).worst_usd([first, second]) == pytest.approx(expected, rel=1e-12)
    doubled = first.record._replace(input_usd_per_mtok=first.record.input_usd_per_mtok * 2,
                                    output_usd_per_mtok=first.record.output_usd_per_mtok * 2)  # fmt: skip
    operators = Spending(None, BOUNDS, Catalog(CATALOG.providers, (doubled,)))
    assert operators.worst_usd([first]) == pytest.approx(2 * worst_case_usd(first.record, ["Be brief.", "hello"], 100))
    with pytest.raises(Unpriced, match="not in this server's own catalog"):
        operators.worst_usd([first, second])


def test_the_visitor_bounds_hold_on_the_operators_credential_only(tmp_path):
    assert BOUNDS.too_many_tokens(512) is None and BOUNDS.too_many_tokens(None) is None
    assert BOUNDS.too_many_tokens(513) == "On the operator's credential a reply may have at most 512 max tokens."
    own = Spending(None, BOUNDS)
    assert own.too_many_tokens(10_000) is None
    assert own.run_problems(prompts=99, repeat=9, concurrency=32, max_tokens=10_000, max_usd=None) == []
    with Store(f"sqlite:///{tmp_path / 'ledger.sqlite3'}") as store:
        operators = Spending(Spender(SpendLedger(store, Caps(1.0, 1.0, 1.0)), "digest", "public"), BOUNDS)
        assert operators.too_many_tokens(10_000) == BOUNDS.too_many_tokens(10_000)
        problems = operators.run_problems(prompts=11, repeat=2, concurrency=4, max_tokens=512, max_usd=None)
        assert problems == ["at most 10 prompts per run, not 11", "a budget above $0.00"]


def test_requests_held_together_settle_to_their_sum_only_when_each_was_measured():
    hold = Hold()
    hold.spent_on_all([0.25, 0.5], 2)
    assert hold.measured and hold.cost_usd == 0.75
    for costs in ([0.25, None], [0.25]):  # one reported no usage; one was never sent
        hold = Hold()
        hold.spent_on_all(costs, 2)
        assert not hold.measured and hold.cost_usd is None
