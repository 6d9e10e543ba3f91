"""Issue 16: relation patterns are pack data (YAML), and a researcher's pack adds its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from policykg.exceptions import LoaderError
from policykg.loaders.article.extract import document_from_text, extract
from policykg.loaders.article.resources import RESOURCES, default_lexicon, read_pack, use_resources
from policykg.loaders.records import RELATION_TYPES

CLI = Any
WORLD_RELATIONS = RESOURCES / "packs" / "world" / "relations.yaml"

#: One invented sentence per shipped pattern, with the relation it states.
SHIPPED_CASES = {
    "threat": ("The Ministry of Finance of Ruritania threatened Borduria and Syldavia with "
               "tariffs on Monday.", "Ministry of Finance of Ruritania", "threatens",
               {"Borduria", "Syldavia"}),
    "cancelled meeting": ("The Ministry of Finance of Ruritania cancelled its meeting with "
                          "the World Bank.", "Ministry of Finance of Ruritania",
                          "cancelled_meeting_with", {"World Bank"}),
    "criticism": ("The Ministry of Finance of Ruritania criticized the World Bank.",
                  "Ministry of Finance of Ruritania", "criticizes", {"World Bank"}),
    "cooperation": ("The Ministry of Finance of Ruritania cooperates with the World Bank.",
                    "Ministry of Finance of Ruritania", "cooperates_with", {"World Bank"}),
    "signed agreement": ("The World Bank and the Ministry of Finance of Ruritania signed a "
                         "new loan agreement.", "World Bank", "cooperates_with",
                         {"Ministry of Finance of Ruritania"}),
}
PACK = """organizations:
  - {name: Ministry of Finance of Ruritania, type: GovernmentAgency}
countries:
  - {name: Borduria}
  - {name: Syldavia}
"""


def _relations(text: str) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in extract(document_from_text(text)).relations}


def test_the_shipped_patterns_are_the_yaml_file() -> None:
    raw = yaml.safe_load(WORLD_RELATIONS.read_text(encoding="utf-8"))["relations"]
    shipped = list(default_lexicon().relations)
    assert [(r["predicate"], r["cue"]) for r in raw] == [
        (p.predicate, p.cue.pattern) for p in shipped]
    assert {r["name"] for r in raw} == set(SHIPPED_CASES)
    assert {r["predicate"] for r in raw} <= set(RELATION_TYPES)


@pytest.mark.parametrize("name", sorted(SHIPPED_CASES))
def test_each_shipped_pattern_finds_its_relation(name: str, tmp_path: Path) -> None:
    text, subject, predicate, objects = SHIPPED_CASES[name]
    (tmp_path / "actors.yaml").write_text(PACK, encoding="utf-8")
    with use_resources([tmp_path]):
        found = _relations(text)
    assert {(subject, predicate, o) for o in objects} <= found
    # the object side is where the pattern says: nothing points the other way
    assert not {(o, predicate, subject) for o in objects} & found


def test_a_pack_adds_a_relation_pattern(tmp_path: Path) -> None:
    text = "Ruritania imposed sanctions on Borduria after the vote."
    (tmp_path / "actors.yaml").write_text(
        "countries:\n  - {name: Ruritania}\n  - {name: Borduria}\n", encoding="utf-8")
    with use_resources([tmp_path]):
        before = _relations(text)
    (tmp_path / "sanctions.yaml").write_text(
        "relations:\n"
        "  - name: sanctions\n"
        "    predicate: pressures\n"
        "    cue: '\\bimpos(?:e|es|ed|ing) sanctions on\\s+'\n"
        "    gap: ''\n"
        "    confidence: 0.65\n", encoding="utf-8")
    with use_resources([tmp_path]):
        ex = extract(document_from_text(text))
    assert ("Ruritania", "pressures", "Borduria") not in before
    rel = next(r for r in ex.relations if r.predicate == "pressures")
    assert (rel.subject, rel.object, rel.confidence) == ("Ruritania", "Borduria", 0.65)
    # the evidence span is the sentence that states it
    assert text[rel.start:rel.end].startswith("Ruritania imposed sanctions")


@pytest.mark.parametrize(("body", "message"), [
    ("predicate: bombs\n    cue: x", "unknown relation 'bombs'"),
    ("predicate: threatens\n    cue: '(unclosed'", "field 'cue'.*not a regular expression"),
    ("predicate: threatens\n    cue: x\n    shape: sideways", "unknown shape 'sideways'"),
    ("predicate: threatens\n    cue: x\n    confidence: 1.5", "field 'confidence'"),
    ("predicate: threatens\n    cue: x\n    confidense: 0.5", "unknown field 'confidense'"),
    ("predicate: threatens", "field 'cue'.*expected a regular expression"),
])
def test_a_bad_relation_pattern_names_file_record_and_field(tmp_path: Path, body: str,
                                                             message: str) -> None:
    (tmp_path / "rels.yaml").write_text(f"relations:\n  - name: mine\n    {body}\n",
                                        encoding="utf-8")
    with pytest.raises(LoaderError, match=message) as err:
        read_pack(tmp_path)
    assert "rels.yaml" in str(err.value) and "mine" in str(err.value)
    assert "\n" not in str(err.value)
