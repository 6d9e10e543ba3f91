"""Replaying the judgement log: transitive merges, splits, cycles, not-same, bad lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from policykg.exceptions import ResolutionError
from policykg.resolution.judgements import (
    Judgement,
    append_judgements,
    read_log,
    replay,
    rewrite_triples,
)

A, B, C, D = (URIRef(f"https://w3id.org/policykg/id/person/{x}") for x in "abcd")


def j(action: str, canonical: URIRef, other: URIRef, line: int | None = None) -> Judgement:
    return Judgement(action, str(canonical), str(other), line=line)


def test_transitive_merges_resolve_to_one_canonical() -> None:
    rewrites = replay([j("merge", A, B), j("merge", B, C), j("merge", D, A)])
    assert dict(rewrites) == {A: D, B: D, C: D}
    assert rewrites.chain(C) == [C, A]  # merged into B, whose canonical was A


def test_split_undoes_only_that_merge() -> None:
    rewrites = replay([j("merge", A, B), j("merge", A, C), j("split", A, B)])
    assert dict(rewrites) == {C: A}
    again = replay([j("merge", A, B), j("split", A, B), j("merge", A, B)])
    assert dict(again) == {B: A}


def test_cycles_and_contradictions_are_reported_and_skipped() -> None:
    rewrites = replay([j("merge", A, B, 1), j("merge", B, A, 2)])
    assert dict(rewrites) == {B: A}
    assert any("cycle" in w and "line 2" in w for w in rewrites.warnings)
    blocked = replay([j("not-same", A, C, 1), j("merge", A, B, 2), j("merge", B, C, 3)])
    assert dict(blocked) == {B: A}
    assert any("not-same" in w for w in blocked.warnings)
    assert blocked.is_not_same(B, C)
    lonely = replay([j("split", A, B, 1)])
    assert any("no earlier merge" in w for w in lonely.warnings)


def test_log_round_trip_and_bad_lines(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    append_judgements(log, [j("merge", A, B), j("not-same", A, C)])
    judgements = read_log(log)
    assert [(x.action, x.line) for x in judgements] == [("merge", 1), ("not-same", 2)]
    assert all(x.at for x in judgements)
    log.write_text(log.read_text() + '{"action": "fuse", "canonical": "x", "other": "y"}\n')
    with pytest.raises(ResolutionError, match=r"log.jsonl:3: .*unknown action"):
        read_log(log)
    assert read_log(tmp_path / "absent.jsonl") == []


def test_rewriting_twice_equals_rewriting_once() -> None:
    from rdflib import Literal
    from rdflib.namespace import SKOS

    source = URIRef("https://w3id.org/policykg/source/s")
    from rdflib.namespace import RDF

    from policykg.ontology.namespace import PKG

    original = [(source, RDF.type, PKG.Source), (B, SKOS.prefLabel, Literal("B")),
                (C, SKOS.prefLabel, Literal("C")), (C, PKG.memberOf, B)]
    first = replay([j("merge", A, B)])
    second = replay([j("merge", A, B), j("merge", B, C), j("merge", D, A)])
    once = set(rewrite_triples(original, second))
    twice = set(rewrite_triples(list(rewrite_triples(original, first)), second))
    assert once == twice
    assert (D, SKOS.altLabel, Literal("B")) in once
    assert not any(p == SKOS.prefLabel for _, p, _ in once)
