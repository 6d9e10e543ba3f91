"""The article extractor finishes on big adversarial texts (issue 12: never a hang).

Before the fix a 500 KB text full of quotation marks took minutes (every quotation and cue
scanned every mention of its sentence, and such a text is one sentence). The timeout is a hard
bound far above the expected time (about 10 s per shape on a loaded 2-core machine), so the
test fails only on a return to super-linear behaviour, not on a slow machine.
"""

from __future__ import annotations

import sys

import pytest

from policykg.loaders.article.extract import document_from_text, extract
from policykg.loaders.article.segmentation import (
    MAX_SENTENCE_CHARS,
    find_quotes,
    split_paragraphs,
    split_sentences,
)
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from article_scaling import SHAPES, make_shape  # noqa: E402

SIZE = 500_000


@pytest.mark.timeout(90)
@pytest.mark.parametrize("shape", SHAPES)
def test_a_500kb_text_of_each_shape_is_extracted_in_bounded_time(shape: str) -> None:
    text = make_shape(shape, SIZE)
    assert len(text) == SIZE
    result = extract(document_from_text(text))
    doc = result.document
    # offsets still refer to the text: every statement is the text of its span.
    for st in result.statements:
        assert doc.text[st.start : st.end] == st.text
    for person in result.persons:
        for a, b in person.spans:
            assert 0 <= a < b <= SIZE


def test_long_sentences_are_cut_at_spaces_under_the_cap() -> None:
    words = " ".join(f"word{i}" for i in range(3000))  # one sentence of ~23,000 characters
    paragraphs = split_paragraphs(words)
    spans = split_sentences(words, paragraphs, find_quotes(words, paragraphs))
    assert len(spans) > 1
    assert all(b - a <= MAX_SENTENCE_CHARS for a, b in spans)
    # nothing lost or cut inside a word: the pieces rejoin to the text.
    assert " ".join(words[a:b] for a, b in spans) == words
    assert all(words[a:b].split()[0].startswith("word") for a, b in spans)


def test_normal_sentences_are_not_cut() -> None:
    text = 'Ana López said on Monday that "the funds will arrive soon." ' * 3
    paragraphs = split_paragraphs(text)
    spans = split_sentences(text, paragraphs, find_quotes(text, paragraphs))
    assert [text[a:b] for a, b in spans] == [
        'Ana López said on Monday that "the funds will arrive soon."'
    ] * 3
