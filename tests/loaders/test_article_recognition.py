"""Issue 16: recognition and statements outside the development domain, and the parsers'
properties (transcript turns, spans)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.loaders.article.extract import document_from_text, extract
from policykg.loaders.article.segmentation import find_turns

LABELS = ["MR PRICE", "QUESTION", "SECRETARY BLINKEN", "MS. MITCHELL", "MODERATOR", "Q",
          "AMBASSADOR THOMAS-GREENFIELD"]
BODY_WORDS = ["the", "plant", "Ukraine", "said", "we", "are", "concerned", "Go ahead,", "Said.",
              "(Laughter.)", "—", "$5 million", "“quoted”", "again?"]


def persons(text: str) -> list[str]:
    return [p.name for p in extract(document_from_text(text)).persons]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LABELS),
                          st.lists(st.sampled_from(BODY_WORDS), min_size=1, max_size=12)),
                min_size=2, max_size=8),
       st.sampled_from(["\n\n", "\n"]))
def test_turn_splitting_never_loses_or_duplicates_text(
        turns: list[tuple[str, list[str]]], gap: str) -> None:
    # (one labelled paragraph alone is not a transcript: at least two turns)
    text = gap.join(f"{label}: {' '.join(words)}" for label, words in turns)
    found = find_turns(text)
    assert [t.label for t in found] == [label for label, _w in turns]
    assert [text[t.start:t.end] for t in found] == [" ".join(w) for _l, w in turns]
    # every character is in exactly one label or body, or is the separator between them
    covered = [0] * len(text)
    for t in found:
        assert text[t.label_start:t.label_end] == t.label
        for i in (*range(t.label_start, t.label_end), *range(t.start, t.end)):
            covered[i] += 1
    assert max(covered) == 1
    assert all(text[i] in ": \n" for i, c in enumerate(covered) if c == 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(LABELS), min_size=2, max_size=6))
def test_every_turn_is_one_statement_whose_span_indexes_the_text(labels: list[str]) -> None:
    text = "\n\n".join(f"{label}: We are concerned about the plant, number {i}."
                       for i, label in enumerate(labels))
    statements = extract(document_from_text(text)).statements
    turns = [s for s in statements if s.kind == "transcript"]
    assert len(turns) == len(labels)
    assert all(s.text == text[s.start:s.end] for s in statements)


def test_the_questioner_is_the_reporter_the_host_named_just_before() -> None:
    text = ("MR PRICE: Good afternoon. Go ahead, Said.\n\n"
            "QUESTION: Thank you, Ned. Can you say more about the plant?\n\n"
            "MR PRICE: We remain concerned. Matt, go ahead.\n\n"
            "QUESTION: Two things.\n\n"
            "QUESTION: And a follow-up.\n")
    asked = [(s.speaker, s.questioner) for s in extract(document_from_text(text)).statements
             if s.kind == "transcript"]
    assert asked == [("Price", None), ("Questioner", "Said"), ("Price", None),
                     ("Questioner", "Matt"), ("Questioner", None)]


def test_a_trailing_possessive_is_not_part_of_a_name() -> None:
    ex = extract(document_from_text(
        "Vice President Kamala Harris' plan was announced on Monday. Harris said it would help."))
    assert [(p.name, p.mentions) for p in ex.persons] == [
        ("Kamala Harris", ["Kamala Harris", "Harris"])]


def test_title_case_phrases_are_not_persons() -> None:
    text = ("The request includes $100 million in Foreign Military Financing, and the "
            "highlights of the Fiscal Year 2024 budget. Through President Biden’s Investing in "
            "America agenda, the Economic Support Funding grows.")
    names = persons(text)
    for phrase in ("Military Financing", "Fiscal Year", "Biden’s Investing", "Investing"):
        assert phrase not in names
    assert "Joe Biden" in names
