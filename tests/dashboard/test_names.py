"""Phone names: short enough for a phone's pinned column, and never the same for two different models."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.dashboard.names import PHONE_CHARS, base_name, phone_names

WORD = st.text(alphabet="abcdefghiAB0123456789.", min_size=1, max_size=8)
NAME = st.lists(st.sampled_from(["Instruct", "it", "Turbo", "8B", "70B", "Llama", "3.1"]) | WORD, min_size=1,
                max_size=7).map("-".join)  # fmt: skip
MODEL_ID = st.tuples(st.sampled_from(["", "meta-llama/", "org/", "other/"]), NAME).map("".join)


@given(st.lists(MODEL_ID, max_size=40))
def test_no_two_different_ids_share_a_phone_name(ids):
    names = phone_names(ids)
    assert set(names) == set(ids)
    assert len(set(names.values())) == len(names)  # distinct ids, distinct names


@given(st.lists(MODEL_ID, max_size=40, unique=True))
def test_a_phone_name_is_short_unless_only_the_whole_id_tells_it_apart(ids):
    for model, name in phone_names(ids).items():
        assert len(name) <= PHONE_CHARS or name in (model, base_name(model)) or "…" in name


def test_the_two_llama_8b_rows_of_the_embedded_page_differ_by_their_end():
    names = phone_names(record.model for record in load_catalog().models)
    turbo, plain = names["meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"], names["meta-llama/Meta-Llama-3.1-8B-Instruct"]
    assert turbo.endswith("8B-Turbo") and plain == "Meta-Llama-3.1-8B"
    assert all(len(name) <= PHONE_CHARS for name in names.values())
    assert len(set(names.values())) == len(names)


def test_noise_words_go_but_a_name_made_only_of_them_stays():
    assert base_name("google/gemma-3-12b-it") == "gemma-3-12b"
    assert base_name("x/Instruct") == "Instruct"
