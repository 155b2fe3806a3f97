"""Phone names: short enough for a phone's pinned column, and never the same for two different models."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.dashboard.names import ELLIPSIS, PHONE_CHARS, base_name, phone_names

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


SEPARATORS = "-_ "


@given(st.lists(MODEL_ID, max_size=40, unique=True))
def test_a_cut_falls_between_words_and_never_beside_a_dot(ids):
    for model, name in phone_names(ids).items():
        assert ".…" not in name and "….." not in name and "…." not in name, name
        if ELLIPSIS not in name or name in (model, base_name(model)):
            continue
        first, tail = name.split(ELLIPSIS)
        whole = base_name(model)
        assert whole.startswith(first) and whole.endswith(tail), (model, name)
        cut_at_a_separator = whole[: len(whole) - len(tail)].endswith(tuple(SEPARATORS))
        inside_the_last_word = not any(separator in tail for separator in SEPARATORS)
        assert tail and (cut_at_a_separator or inside_the_last_word), (model, name)


def test_phone_names_keep_the_words_that_tell_models_apart():
    names = phone_names(record.model for record in load_catalog().models)
    assert names["meta-llama/Llama-4-Scout-17B-16E-Instruct"] == "Llama…Scout-17B-16E"  # not "Llama…cout-17B-16E"
    assert names["meta-llama/Llama-3.3-70B-Instruct-Turbo"] == "Llama-3.3-70B-Turbo"  # not "Llama….3-70B-Turbo"
    assert names["deepseek-ai/DeepSeek-R1-0528-Turbo"] == "DeepSeek…0528-Turbo"
    assert names["deepseek-ai/DeepSeek-V3-0324-Turbo"] == "DeepSeek…0324-Turbo"


def test_names_that_would_read_the_same_keep_more_of_their_end():
    names = phone_names(["x/DeepSeek-R1-0528-Turbo-Fast", "x/DeepSeek-V3-0528-Turbo-Fast"])
    assert names == {
        "x/DeepSeek-R1-0528-Turbo-Fast": "…R1-0528-Turbo-Fast",
        "x/DeepSeek-V3-0528-Turbo-Fast": "…V3-0528-Turbo-Fast",
    }
