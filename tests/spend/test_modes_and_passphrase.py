"""Who may spend: the modes, the passphrase (scrypt, constant time, 5 tries a minute) and the OIDC gate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.settings import read_settings
from catalog.spend import (
    ServerTries,
    SpendConfigError,
    SpendMode,
    Tries,
    Visitor,
    anonymous,
    hash_passphrase,
    may_spend,
    oidc_email,
    passphrase_matches,
    spend_mode,
    try_passphrase,
)

STORED = hash_passphrase("correct horse battery staple")


def test_the_mode_defaults_to_off_and_a_bad_one_is_named():
    assert spend_mode(read_settings({})) is SpendMode.OFF
    assert spend_mode(read_settings({"CATALOG_SPEND_MODE": " Public "})) is SpendMode.PUBLIC
    unusable = read_settings({"CATALOG_SPEND_MODE": "everyone"})  # fails closed: nobody spends, and it is named
    assert spend_mode(unusable) is SpendMode.OFF
    assert unusable.warnings == ("CATALOG_SPEND_MODE must be one of off, passphrase, public, oidc, not 'everyone'",)


def test_only_the_mode_s_visitors_may_spend():
    anonymous_visitor, unlocked, signed_in = Visitor("s1"), Visitor("s2", unlocked=True), Visitor("s3", email="a@b.c")
    assert [may_spend(SpendMode.OFF, v) for v in (anonymous_visitor, unlocked, signed_in)] == [False] * 3
    assert [may_spend(SpendMode.PASSPHRASE, v) for v in (anonymous_visitor, unlocked)] == [False, True]
    assert [may_spend(SpendMode.OIDC, v) for v in (anonymous_visitor, signed_in)] == [False, True]
    assert may_spend(SpendMode.PUBLIC, anonymous_visitor)


def test_an_owner_is_the_person_or_an_opaque_session_digest():
    assert Visitor("abc", email="Ann@Example.org").owner == "email:ann@example.org"
    assert Visitor("abc", unlocked=True).owner == "passphrase"
    owner = Visitor("abc").owner
    assert owner == f"session:{anonymous('abc')}" and "abc" not in owner and anonymous("abd") != anonymous("abc")


class User:
    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


def test_the_oidc_gate_takes_only_a_signed_in_allowed_verified_email():
    allowed = ("ann@example.org", " bob@example.org")
    assert oidc_email(User(is_logged_in=True, email="ANN@example.org"), allowed) == "ANN@example.org"
    assert oidc_email({"is_logged_in": True, "email": "bob@example.org"}, allowed) == "bob@example.org"
    assert oidc_email(User(is_logged_in=False, email="ann@example.org"), allowed) is None
    assert oidc_email(User(is_logged_in=True, email="eve@example.org"), allowed) is None
    assert oidc_email(User(is_logged_in=True, email="ann@example.org", email_verified=False), allowed) is None
    assert oidc_email(User(is_logged_in=True), allowed) is None
    assert oidc_email(User(is_logged_in=True, email="ann@example.org"), ()) is None


def test_the_stored_form_is_a_salted_scrypt_hash_never_the_passphrase():
    assert STORED.startswith("scrypt$16384$8$1$") and "horse" not in STORED
    assert hash_passphrase("x") != hash_passphrase("x")  # a fresh salt each time
    assert passphrase_matches(STORED, "correct horse battery staple")


@settings(max_examples=10, deadline=None)
@given(st.text(max_size=40))
def test_any_other_passphrase_is_refused(attempt):
    assert passphrase_matches(STORED, attempt) is (attempt == "correct horse battery staple")


@pytest.mark.parametrize("stored", ["", "plain-text-passphrase", "scrypt$3$8$1$00$00", "scrypt$16384$8$1$zz$00"])
def test_a_malformed_hash_is_a_clear_setting_error(stored):
    with pytest.raises(SpendConfigError, match="CATALOG_SPEND_PASSPHRASE_HASH is not a hash"):
        passphrase_matches(stored, "x")


def test_a_wrong_passphrase_is_refused_and_the_sixth_try_in_a_minute_waits():
    tries = Tries()
    for n in range(5):
        unlock = try_passphrase(STORED, "wrong", tries, 100.0 + n)
        assert not unlock.ok and unlock.message.startswith("That is not the passphrase")
        tries = unlock.tries
    assert "no more tries this minute" in unlock.message
    sixth = try_passphrase(STORED, "correct horse battery staple", tries, 110.0)  # even the right one waits
    assert not sixth.ok and sixth.message == "Too many tries: wait 50 s before the next one."
    assert sixth.tries == tries  # a refused try is not counted
    later = try_passphrase(STORED, "correct horse battery staple", tries, 160.5)
    assert later.ok and later.message == "Unlocked for this session."


def test_new_sessions_share_the_servers_thirty_tries_a_minute():
    """A new tab is a new session with 5 tries of its own: the server's limit holds them all together."""
    server = ServerTries(limit=30)
    for n in range(30):  # 30 fresh sessions, one wrong try each, within a minute
        assert try_passphrase(STORED, "wrong", Tries(), 100.0 + n, server).message.startswith("That is not")
    refused = try_passphrase(STORED, "correct horse battery staple", Tries(), 130.0, server)
    assert not refused.ok and refused.message == "Too many tries on this server: wait 30 s before the next one."
    assert refused.tries == Tries()  # nothing counted for the session that was refused
    assert try_passphrase(STORED, "correct horse battery staple", Tries(), 160.0, server).ok  # the first try aged out


def test_the_tries_left_are_counted_in_words():
    unlock = try_passphrase(STORED, "wrong", Tries((1.0, 2.0, 3.0)), 4.0)
    assert unlock.message == "That is not the passphrase (1 more try this minute)."
