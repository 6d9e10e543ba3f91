"""Tests of the rule-based news-article extractor."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykg.loaders.article.extract import (
    ArticleError,
    Extraction,
    Statement,
    document_from_text,
    extract,
    read_document,
)


def _ex(text: str) -> Extraction:
    return extract(document_from_text(text))


def _by_start(stmts: list[Statement], prefix: str) -> Statement:
    for s in stmts:
        if s.text.startswith(prefix):
            return s
    raise AssertionError(f"no statement starting with {prefix!r}: {[s.text for s in stmts]}")


def _check_spans(ex: Extraction) -> None:
    text = ex.document.text
    n = len(text)
    for s in ex.statements:
        assert 0 <= s.start <= s.end <= n
        assert text[s.start : s.end] == s.text
        assert 0.0 <= s.confidence <= 1.0
    for p in ex.persons:
        assert p.spans
        for a, b in p.spans:
            assert 0 <= a < b <= n
        assert 0.0 <= p.confidence <= 1.0
    for o in ex.organizations:
        for a, b in o.spans:
            assert 0 <= a < b <= n
    for am in ex.amounts:
        assert text[am.start : am.end] == am.text
    for stt in ex.statistics:
        assert text[stt.start : stt.end] == stt.text
    for r in ex.relations:
        assert 0 <= r.start <= r.end <= n


WIRE = (
    "Mexico's foreign minister, Clara Ibarra, met her Guatemalan counterpart on Monday.\n\n"
    "\u201cWe will not be anyone's wall,\u201d she said. \u201cBut we will cooperate.\u201d\n\n"
    "Pedro Salas, a researcher at the Wilson Center, said the talks had stalled. "
    '"Nobody expected a breakthrough," Salas said.\n\n'
    "He added that the United States had given Mexico more than $100 million since 2014."
)


def test_speakers_pronouns_and_short_names() -> None:
    ex = _ex(WIRE)
    st_ = ex.statements
    assert _by_start(st_, "We will not be anyone").speaker == "Clara Ibarra"
    assert _by_start(st_, "We will not be anyone").kind == "direct"
    assert _by_start(st_, "But we will cooperate").speaker == "Clara Ibarra"
    assert _by_start(st_, "the talks had stalled").speaker == "Pedro Salas"
    assert _by_start(st_, "the talks had stalled").kind == "indirect"
    assert _by_start(st_, "Nobody expected").speaker == "Pedro Salas"
    added = _by_start(st_, "the United States had given")
    assert added.speaker == "Pedro Salas" and added.cue == "add"
    people = {p.name: p for p in ex.persons}
    assert people["Pedro Salas"].affiliation == "Wilson Center"
    assert people["Pedro Salas"].role == "researcher"
    assert "Salas" in people["Pedro Salas"].mentions
    assert people["Clara Ibarra"].affiliation == "Mexico"
    _check_spans(ex)


def test_curly_quote_offsets_and_possessive_apostrophes() -> None:
    text = (
        "The United States' border policy and the migrants' routes changed. "
        "\u201cIt isn't Mexico's job,\u201d said Jorge Bustamante, a sociologist at the "
        "University of Notre Dame. Dr. Bustamante tells the Monitor that the pressure is old."
    )
    ex = _ex(text)
    first = _by_start(ex.statements, "It isn")
    assert first.text == "It isn't Mexico's job"
    assert first.speaker == "Jorge Bustamante"
    assert text[first.start : first.end] == first.text
    told = _by_start(ex.statements, "the pressure is old")
    assert told.speaker == "Jorge Bustamante" and told.cue == "tell"
    assert all("States'" not in s.text[:3] for s in ex.statements)
    orgs = {o.name: o.type for o in ex.organizations}
    assert orgs["University of Notre Dame"] == "ResearchInstitute"
    assert orgs["United States"] == "Country"
    _check_spans(ex)


def test_unbalanced_quote_does_not_kill_other_quotes() -> None:
    text = (
        'Ana Torres said the plan "would fail.\n\n'
        '"We are ready," said Luis Ramos. "The border is open," he added.'
    )
    ex = _ex(text)
    assert _by_start(ex.statements, "We are ready").speaker == "Luis Ramos"
    assert _by_start(ex.statements, "The border is open").speaker == "Luis Ramos"
    _check_spans(ex)


def test_partial_quote_and_written_statement() -> None:
    text = (
        "Gabriela Sosa, who runs a shelter in Tapachula, describes the checkpoints as "
        '"a machine for pushing people to smugglers." '
        "The Department of Homeland Security said in a statement that arrests had risen."
    )
    ex = _ex(text)
    part = _by_start(ex.statements, "a machine for pushing")
    assert part.speaker == "Gabriela Sosa" and part.kind == "partial" and part.cue == "describe"
    written = _by_start(ex.statements, "arrests had risen")
    assert written.speaker == "Department of Homeland Security"
    assert written.kind == "written"


def test_transcript_turns() -> None:
    text = (
        "SECRETARY TILLERSON: Thank you all for coming. We had good talks.\n\n"
        "Q: Did Mexico agree to anything?\n\n"
        "MR. SMITH: One more question.\n\n"
        "SECRETARY TILLERSON: We discussed everything."
    )
    ex = _ex(text)
    kinds = {s.kind for s in ex.statements}
    assert kinds == {"transcript"}
    speakers = [s.speaker for s in ex.statements]
    assert speakers == ["Rex Tillerson", "Questioner", "Smith", "Rex Tillerson"]
    assert ex.statements[0].text == "Thank you all for coming. We had good talks."
    _check_spans(ex)


def test_according_to_and_negated_say() -> None:
    text = (
        "Mexico deported 118,000 Central Americans in 2015, according to the Pew Research "
        "Center. Ricardo Pellecer did not say whether Guatemala would sign."
    )
    ex = _ex(text)
    acc = _by_start(ex.statements, "Mexico deported")
    assert acc.speaker == "Pew Research Center" and acc.cue == "according to"
    assert not any("whether" in s.text for s in ex.statements)
    stat = next(s for s in ex.statistics if s.value == 118000.0)
    assert stat.unit == "Central Americans" and stat.period == "in 2015"


def test_amounts_with_qualifiers_and_currencies() -> None:
    text = (
        "Some $75 million of State Department funding went to Mexico. The plan includes more "
        "than $450 million, $1.12 billion for Guatemala, nearly $2.3 billion, up to $12.5 "
        "million, at least $8 million, about $500 million, US$2.5bn, \u20ac30 million, 5 million "
        "pesos and billions of dollars in remittances."
    )
    ex = _ex(text)
    got = {(a.value, a.currency, a.qualifier) for a in ex.amounts}
    expected = {
        (75e6, "USD", "some"),
        (450e6, "USD", "more than"),
        (1.12e9, "USD", None),
        (2.3e9, "USD", "nearly"),
        (12.5e6, "USD", "up to"),
        (8e6, "USD", "at least"),
        (500e6, "USD", "about"),
        (2.5e9, "USD", None),
        (30e6, "EUR", None),
        (5e6, "MXN", None),
        (None, "USD", None),
    }
    assert expected <= got
    first = ex.amounts[0]
    assert first.funder == "Department of State" and first.recipient == "Mexico"
    assert ("Department of State", "funds", "Mexico") in {
        (r.subject, r.predicate, r.object) for r in ex.relations
    }


def test_titles_imply_organizations_and_no_bare_titles() -> None:
    text = (
        "Secretary of State Rex Tillerson met the Secretary on Friday. The State later "
        "funded the Mérida Initiative. Treasury Secretary Steven Mnuchin agreed."
    )
    ex = _ex(text)
    names = {o.name for o in ex.organizations}
    assert "Department of State" in names
    assert "Department of the Treasury" in names
    assert "Secretary" not in names and "State" not in names
    assert not any("Initiative" in n for n in names)
    people = {p.name: p for p in ex.persons}
    assert people["Rex Tillerson"].affiliation == "Department of State"
    assert ("Rex Tillerson", "heads", "Department of State") in {
        (r.subject, r.predicate, r.object) for r in ex.relations
    }


def test_relations_threat_and_cancelled_meeting() -> None:
    text = (
        "Mexican President Enrique Peña Nieto called off a meeting with Donald Trump after "
        "Trump threatened Mexico with tariffs."
    )
    rels = {(r.subject, r.predicate, r.object) for r in _ex(text).relations}
    assert ("Enrique Peña Nieto", "cancelled_meeting_with", "Donald Trump") in rels
    assert ("Donald Trump", "threatens", "Mexico") in rels


def test_html_is_stripped(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Talks stall</title><meta name="date" content="2018-10-20">'
        '<script>var x = "Nobody said this";</script><style>p{color:red}</style></head>'
        "<body><nav><a href='/'>Home</a> Subscribe</nav><article><p>\u201cWe are ready,\u201d "
        "said Arturo Benavides.</p></article><footer>\u00a9 Herald</footer>"
        '<script>track("x")</script></body></html>',
        encoding="utf-8",
    )
    doc = read_document(page)
    assert doc.title == "Talks stall"
    assert doc.date == "2018-10-20"
    assert "Home" not in doc.text and "track" not in doc.text and "color" not in doc.text
    ex = extract(doc)
    assert [s.speaker for s in ex.statements] == ["Arturo Benavides"]


def test_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(
        "---\ntitle: A title\ndate: 2017-02-17\npublisher: The Monitor\n"
        "url: https://example.org/a\n---\nBody text here.\n",
        encoding="utf-8",
    )
    doc = read_document(f)
    assert (doc.title, doc.date, doc.url) == ("A title", "2017-02-17", "https://example.org/a")
    assert doc.text.startswith("Body text")
    assert len(doc.content_hash) == 64


def test_empty_and_binary_files_raise(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ArticleError, match="empty.txt: empty file"):
        read_document(empty)
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ArticleError, match="blob.bin"):
        read_document(binary)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Se\u00f1or Pe\u00f1a dijo que s\u00ed.".encode("latin-1"))
    with pytest.raises(ArticleError, match="latin1.txt"):
        read_document(latin)
    with pytest.raises(ArticleError, match="missing.txt"):
        read_document(tmp_path / "missing.txt")


def test_large_file_rejected_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b'Mexico said "yes". ' * 600_000)  # about 11 MB
    t0 = time.perf_counter()
    with pytest.raises(ArticleError, match="too large"):
        read_document(big)
    assert time.perf_counter() - t0 < 5


def test_non_english_text_gives_valid_result() -> None:
    text = (
        "El canciller Marcelo Ebrard dijo que «México no será un muro». "
        "Согласно источникам, переговоры продолжаются. 移民问题仍然存在。"
    )
    ex = _ex(text)
    _check_spans(ex)
    assert isinstance(ex.to_json()["statements"], list)


def test_json_contract_keys() -> None:
    data = _ex(WIRE).to_json()
    assert set(data) == {
        "source",
        "persons",
        "organizations",
        "amounts",
        "statistics",
        "statements",
        "relations",
    }
    assert set(data["persons"][0]) == {"name", "mentions", "role", "affiliation"}
    assert set(data["statements"][0]) == {"speaker", "text", "cue", "kind", "start", "end"}
    assert set(data["amounts"][0]) == {
        "text",
        "value",
        "currency",
        "qualifier",
        "funder",
        "recipient",
        "program",
    }


_ALPHABET = st.sampled_from(
    list("abcdefghij ABCDEFGHIJ MNOPQRSTUVWXYZ .,;:!?'\"\u201c\u201d\u2018\u2019$\u20ac%()-\n")
    + [
        "said",
        "says",
        " he ",
        " she ",
        "Mexico",
        "Donald Trump",
        "according to",
        " million ",
        "Q: ",
        "SECRETARY SMITH: ",
        "that ",
        "1,000",
        "2015",
        "$75 million",
        "\n\n",
        "Dr. ",
        "University of ",
        "Department of State",
        " told reporters ",
        "\u00e9",
        "\u00f1",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=80).map("".join) | st.text(max_size=300))
def test_extract_never_raises_and_spans_are_valid(text: str) -> None:
    ex = _ex(text)
    _check_spans(ex)
    kinds = {"direct", "partial", "indirect", "transcript", "written"}
    assert all(s.kind in kinds for s in ex.statements)
    ex.to_json()


def test_long_text_is_chunked_with_valid_offsets() -> None:
    text = "\n\n".join([WIRE] * 400)  # about 150 KB
    t0 = time.perf_counter()
    ex = _ex(text)
    assert time.perf_counter() - t0 < 30
    _check_spans(ex)
    assert sum(1 for s in ex.statements if s.speaker == "Pedro Salas") >= 400
