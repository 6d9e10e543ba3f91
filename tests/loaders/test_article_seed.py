"""The seed article (../shared/seed): who said what, its statistics, and its trailer, checked
against an independent reading of the raw file (regular expressions here, not the extractor),
on the embedded store and on Neo4j.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policykg.loaders.article.extract import extract, read_document
from tests.neo4j_fixtures import Neo4jDB

#: The ``CLI`` helper of tests/conftest.py (the ``kg`` fixture), typed loosely here.
CLI = Any

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed"
ARTICLE = SEED / "mexico-us-immigration-partner.txt"
CUES = r"(?:says|said|tells|told|writes|wrote|notes|noted|adds|added)"


def fold(text: str) -> str:
    """Accents, case, quote styles and spacing ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\"“”‘’'`]", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,.")


@dataclass(frozen=True)
class Passage:
    speaker: str
    text: str
    start: int


class Reading:
    """The raw file read by hand: where the article ends, its quotations and their speakers."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        # The article ends where the paywall notice begins.
        self.end = raw.rindex("\n", 0, raw.index("free articles")) + 1
        self.body = raw[: self.end]
        # People are introduced with an appositive: "Jane Doe, a professor at ...".
        self.introduced = [(m.start(), m.group(1)) for m in re.finditer(
            r"([A-Z][a-z]+ [A-Z][a-z]+), (?:a|an|the) ", self.body)]
        self.passages = self._passages()

    def full_name(self, name: str) -> str | None:
        for _pos, full in self.introduced:
            if full == name or full.endswith(" " + name.split()[-1]):
                return full
        return None

    def speaker(self, paragraph: str, para_start: int) -> str | None:
        """The person a cue verb names in the paragraph ("says Jane Doe", "Doe told"), else
        for "he said" the person introduced last before it."""
        named = [*re.finditer(rf"\b{CUES} (?:Dr\. |Mr\. |Ms\. )?([A-Z][a-z]+(?: [A-Z][a-z]+)?)",
                              paragraph),
                 *re.finditer(rf"\b([A-Z][a-z]+) {CUES}\b", paragraph)]
        for match in sorted(named, key=lambda m: m.start()):
            full = self.full_name(match.group(1))
            if full is not None:
                return full
        if re.search(rf"\b(?:he|she) {CUES}\b", paragraph):
            earlier = [name for pos, name in self.introduced if pos < para_start]
            return earlier[-1] if earlier else None
        return None

    def _passages(self) -> list[Passage]:
        out = []
        for para in re.finditer(r"[^\n]+", self.body):
            speaker = self.speaker(para.group(0), para.start())
            for quote in re.finditer(r"“([^”]+)”|\"([^\"]+)\"", para.group(0)):
                text = quote.group(1) or quote.group(2)
                if len(text.split()) < 4:  # a few quoted words are a phrase, not a quotation
                    continue
                assert speaker is not None, f"no speaker found for {text!r}"
                out.append(Passage(speaker, text, para.start() + quote.start()))
        return out

    def paragraph_of(self, text: str) -> tuple[str, int]:
        """The paragraph of the article body holding ``text``, and where it starts."""
        pos = self.raw.find(text)
        assert 0 <= pos < self.end, f"not in the article body: {text[:60]!r}"
        start = self.raw.rfind("\n", 0, pos) + 1
        return self.raw[start : self.raw.find("\n", pos)], start


@pytest.fixture(scope="module")
def reading() -> Reading:
    assert ARTICLE.is_file(), f"the seed article is missing: {ARTICLE}"
    return Reading(ARTICLE.read_text(encoding="utf-8"))


def test_the_independent_reading_finds_the_quotations(reading: Reading) -> None:
    # Guards the reading itself: three speakers, several quotations each side of the cues.
    speakers = [p.speaker for p in reading.passages]
    assert len(speakers) >= 6 and len(set(speakers)) == 3


def test_statements_by_speaker_on_the_extractor_output(reading: Reading) -> None:
    # Reported speech too: a researcher asks "what did each person say?".
    statements = extract(read_document(ARTICLE)).statements
    for person in {p.speaker for p in reading.passages}:
        said = [s for s in statements if s.speaker == person]
        quoted = [p for p in reading.passages if p.speaker == person]
        assert len(said) >= len(quoted), person
    # Cues the independent reading sees after the name's paragraph ("notes X", "he tells").
    for paragraph in re.finditer(r"[^\n]+", reading.body):
        who = reading.speaker(paragraph.group(0), paragraph.start())
        if who is None:
            continue
        inside = [s for s in statements
                  if paragraph.start() <= s.start < paragraph.end()]
        assert inside, f"nothing attributed in a paragraph with a cue for {who}"
        assert {s.speaker for s in inside} == {who}, paragraph.group(0)[:80]


def _statements(kg: CLI, *backend: str) -> list[dict[str, Any]]:
    rows = json.loads(kg("query", "statements", "--format", "json", *backend).stdout)
    return [r for r in rows if any(s.endswith(ARTICLE.name) for s in r["sources"])]


def check_statements(rows: list[dict[str, Any]], reading: Reading) -> None:
    direct = [r for r in rows if r["kind"] == "DirectQuote"]
    # Every quotation of the article is a direct statement by the person the text names.
    for passage in reading.passages:
        matches = [r for r in direct if fold(r["quote"]) in fold(passage.text)
                   and len(r["quote"].split()) >= 4]
        assert matches, f"quotation by {passage.speaker} not found: {passage.text[:60]!r}"
        assert {fold(r["speaker"]) for r in matches} == {fold(passage.speaker)}, passage
    # ... and every direct statement is one of those quotations, by the same speaker.
    by_speaker: dict[str, int] = {}
    for row in direct:
        owners = [p for p in reading.passages if fold(row["quote"]) in fold(p.text)]
        assert owners, f"direct statement is no quotation of the article: {row['quote']!r}"
        assert fold(row["speaker"]) == fold(owners[0].speaker), row
        by_speaker[fold(row["speaker"])] = by_speaker.get(fold(row["speaker"]), 0) + 1
    expected: dict[str, int] = {}
    for passage in reading.passages:
        expected[fold(passage.speaker)] = expected.get(fold(passage.speaker), 0) + 1
    assert by_speaker == expected
    # Every statement comes from the article body; reported speech is by the person its
    # paragraph's cue names (or, for "he said", the one introduced last), else by an
    # organization the paragraph names.
    for row in rows:
        paragraph, start = reading.paragraph_of(row["quote"])
        if row["kind"] == "DirectQuote":
            continue
        expected = reading.speaker(paragraph, start)
        if expected is not None:
            assert fold(row["speaker"]) == fold(expected), row
        else:
            assert fold(row["speaker"]).split()[-1] in fold(paragraph), row


def _facts_after_the_article(kg: CLI, reading: Reading) -> list[dict[str, Any]]:
    rows = json.loads(kg(
        "sparql", "--format", "json",
        "SELECT ?fact ?start WHERE { ?fact pkg:evidence ?e . ?e pkg:charStart ?start }",
    ).stdout)
    return [r for r in rows if int(r["start"]) >= reading.end]


def check_statistics(observations: list[dict[str, Any]], reading: Reading) -> None:
    by_value = {float(o["value"]): o for o in observations}
    total = re.search(r"(the total number of (\w+)) was (more than) ([\d,]+)", reading.body)
    assert total is not None
    stat = by_value[float(total.group(4).replace(",", ""))]
    assert (stat["unit"], stat["qualifier"]) == (total.group(2), total.group(3))
    assert stat["measure"] == total.group(1).removeprefix("the ")
    # "last year", not a year stated elsewhere in the sentence (the article has no date).
    assert stat["period"] == re.search(r"(\w+ year), the total number", reading.body).group(1)
    rise = re.search(r"(in the past \w+ years), ([a-z][^,]+?) have shot up (as much as) (\d+) "
                     r"percent", reading.body)
    assert rise is not None
    stat = by_value[float(rise.group(4))]
    assert (stat["unit"], stat["qualifier"], stat["period"]) == (
        "percent", rise.group(3), rise.group(1))
    assert stat["measure"] == f"increase in {rise.group(2)}"
    # The year that opens the first clause dates the first figure.
    first = re.search(r"In (\d{4}), Mexico deported ([\d,]+) ([A-Z]\w+ [A-Z]\w+)", reading.body)
    assert first is not None
    stat = by_value[float(first.group(2).replace(",", ""))]
    assert (str(stat["period"]), stat["unit"]) == (first.group(1), first.group(3))


#: the observations read from articles (curated records state some of the same figures).
OBSERVATIONS_SPARQL = (
    "SELECT ?value ?unit ?measure ?qualifier ?period WHERE { ?o a pkg:Observation ; "
    "pkg:value ?value ; pkg:unit ?unit ; pkg:measure ?measure ; pkg:evidence/pkg:source ?s . "
    "?s pkg:format 'article' . "
    "OPTIONAL { ?o pkg:qualifier ?qualifier } OPTIONAL { ?o pkg:period ?period } }"
)
OBSERVATIONS_CYPHER = (
    "MATCH (o:Observation)-[:EVIDENCE]->()-[:SOURCE]->(s {format: 'article'}) "
    "RETURN DISTINCT o.value AS value, o.unit AS unit, o.measure AS measure, "
    "o.qualifier AS qualifier, o.period AS period"
)


def test_seed_statements_statistics_and_trailer_on_the_embedded_store(
    kg: CLI, reading: Reading
) -> None:
    kg("load", str(ARTICLE))
    check_statements(_statements(kg), reading)
    check_statistics(json.loads(kg("sparql", "--format", "json", OBSERVATIONS_SPARQL).stdout),
                     reading)
    # The trailer (paywall notice, a letter to readers, a price) gives no fact at all.
    assert _facts_after_the_article(kg, reading) == []
    trailer = reading.raw[reading.end :]
    tail_names = set(re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", trailer)) - set(
        re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", reading.body))
    assert tail_names  # the reading of the trailer found its own names
    labels = {row["n"] for row in json.loads(kg(
        "sparql", "--format", "json", "SELECT ?n WHERE { ?e skos:prefLabel|skos:altLabel ?n }"
    ).stdout)}
    assert not labels & tail_names
    price = re.search(r"\$(\d+)\.", trailer)
    assert price is not None
    values = {float(r["v"]) for r in json.loads(kg(
        "sparql", "--format", "json",
        "SELECT ?v WHERE { ?f pkg:amount|pkg:value ?v }").stdout)}
    assert float(price.group(1)) not in values


@pytest.mark.neo4j
def test_seed_statements_and_statistics_on_neo4j(
    kg: CLI, reading: Reading, neo4j_db: Neo4jDB
) -> None:
    kg("load", "examples/", str(ARTICLE))
    kg("mirror")
    embedded = _statements(kg)
    on_neo4j = _statements(kg, "--backend", "neo4j")
    check_statements(on_neo4j, reading)
    key = ("speaker", "quote", "kind", "cue")
    assert sorted(tuple(r[k] for k in key) for r in on_neo4j) == sorted(
        tuple(r[k] for k in key) for r in embedded)
    check_statistics(neo4j_db.run(OBSERVATIONS_CYPHER), reading)
