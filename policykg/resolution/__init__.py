"""Entity resolution across sources: candidates, scores with reasons, and a judgement log.

Nothing is merged silently. :func:`find_matches` proposes pairs (blocking in
:mod:`~policykg.resolution.candidates`, scoring in :mod:`~policykg.resolution.scoring`); a person
decides with :func:`merge`, :func:`not_same` and :func:`split`, and :func:`auto_merge` only merges
pairs with an identical strong identifier (QID, FtM id, IATI ref) never judged not-same. Every
decision is a line of the judgement log (:mod:`~policykg.resolution.judgements`), replayed on
every load, and applied to the store at once: merged entities are rewritten to their canonical
IRI in every source graph, so queries, exports and the Neo4j mirror see one entity with every
fact and every source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from policykg.exceptions import ResolutionError
from policykg.graph.store import Store
from policykg.load import Project, list_sources, load_paths, project_base
from policykg.resolution.candidates import (
    BlockingStats,
    EntityRecord,
    candidate_pairs,
    records_from_store,
)
from policykg.resolution.judgements import (
    Judgement,
    LogLocation,
    Rewrites,
    append_judgements,
    apply_rewrites,
    changed_keys,
    current_rewrites,
    graphs_mentioning,
    log_path,
    read_log,
    replay,
    truncate_log,
)
from policykg.resolution.scoring import DEFAULT_THRESHOLD, Match, score_pair

__all__ = [
    "DEFAULT_THRESHOLD",
    "Judgement",
    "Match",
    "Outcome",
    "Rewrites",
    "auto_merge",
    "current_rewrites",
    "find_matches",
    "log_path",
    "merge",
    "not_same",
    "split",
]


@dataclass
class Outcome:
    """What a judgement command did."""

    judgements: list[Judgement] = field(default_factory=list)
    graphs: list[URIRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _labels(store: Store) -> dict[str, str]:
    rows = store.select("SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }")
    labels: dict[str, str] = {}
    for row in rows:
        labels.setdefault(str(row["s"]), str(row["name"]))
    return labels


def find_matches(
    store: Store,
    *,
    types: Iterable[str] | None = None,
    min_score: float = DEFAULT_THRESHOLD,
    rewrites: Rewrites | None = None,
    stats: BlockingStats | None = None,
) -> list[Match]:
    """Candidate pairs scoring at least ``min_score`` (or sharing a strong identifier).

    Pairs recorded as not the same in ``rewrites`` are left out. Pairs sharing an identifier
    come first, then the others best first.
    """
    records = records_from_store(store, types=types)
    labels = _labels(store)
    matches = []
    for i, j in candidate_pairs(records, stats=stats):
        a, b = records[i], records[j]
        if rewrites is not None and rewrites.is_not_same(URIRef(a.iri), URIRef(b.iri)):
            continue
        match = score_pair(a, b, labels)
        if match.score >= min_score or (match.strong and not match.never):
            matches.append(match)
    # Pairs sharing an identifier first: the strongest ground there is, whatever the names.
    matches.sort(key=lambda m: (not m.strong, -m.score, m.a.iri, m.b.iri))
    return matches


def _record(store: Store, iri: URIRef) -> EntityRecord:
    for record in records_from_store(store):
        if record.iri == str(iri):
            return record
    return EntityRecord(str(iri), "unknown", ())


def _names(record: EntityRecord) -> list[str]:
    return list(record.names[:1])


def _write_and_apply(
    store: Store, path: LogLocation, old: Rewrites, judgements: list[Judgement]
) -> Outcome:
    new = replay([*read_log(path), *judgements])
    size = append_judgements(path, judgements)
    try:
        graphs = apply_rewrites(store, old, new)
    except BaseException:
        truncate_log(path, size)
        raise
    return Outcome(judgements, graphs, new.warnings)


def merge(
    store: Store,
    path: LogLocation,
    canonical: str,
    other: str,
    *,
    note: str | None = None,
    force: bool = False,
) -> Outcome:
    """Merge ``other`` into ``canonical``: log the judgement, rewrite the store at once.

    Raises:
        ResolutionError: the two are one entity already, were judged not the same, or a rule
            forbids the merge (a person and an organization, two different QIDs...) and
            ``force`` is not set.
    """
    old = replay(read_log(path))
    a, b = old.root(URIRef(canonical)), old.root(URIRef(other))
    if a == b:
        msg = f"<{other}> is already merged into <{a}>"
        raise ResolutionError(msg)
    if old.is_not_same(a, b):
        msg = (f"<{a}> and <{b}> were judged not the same; remove that line from the log "
               f"({path}) to merge them")
        raise ResolutionError(msg)
    record_a, record_b = _record(store, a), _record(store, b)
    match = score_pair(record_a, record_b, _labels(store))
    if match.never and not force:
        msg = f"refusing to merge {record_a.label!r} and {record_b.label!r}: " \
              f"{match.reasons[0].removeprefix('never: ')} (use --force to merge anyway)"
        raise ResolutionError(msg)
    judgement = Judgement("merge", str(a), str(b), [*_names(record_a), *_names(record_b)],
                          match.score, match.reasons, "user", note=note)
    return _write_and_apply(store, path, old, [judgement])


def not_same(
    store: Store, path: LogLocation, first: str, second: str, *, note: str | None = None
) -> Outcome:
    """Record that two entities are different: no later merge (manual or auto) unites them."""
    old = replay(read_log(path))
    a, b = old.root(URIRef(first)), old.root(URIRef(second))
    if a == b:
        msg = f"<{first}> and <{second}> are merged; split them first"
        raise ResolutionError(msg)
    record_a, record_b = _record(store, a), _record(store, b)
    match = score_pair(record_a, record_b)
    judgement = Judgement("not-same", str(a), str(b), [*_names(record_a), *_names(record_b)],
                          match.score, match.reasons, "user", note=note)
    append_judgements(path, [judgement])
    return Outcome([judgement])


def auto_merge(
    store: Store, path: LogLocation, *, types: Iterable[str] | None = None
) -> Outcome:
    """Merge every pair with an identical strong identifier that no judgement separates.

    The canonical is the entity minted from a Wikidata QID when there is one, else the one
    named by more sources, else the smaller IRI.
    """
    old = replay(read_log(path))
    planned = replay(read_log(path))
    judgements = []
    for match in find_matches(store, types=types, min_score=1.01, rewrites=old):
        if not match.strong or match.never:
            continue
        a, b = sorted((match.a, match.b), key=_canonical_rank)
        root_a, root_b = planned.root(URIRef(a.iri)), planned.root(URIRef(b.iri))
        if root_a == root_b or planned.is_not_same(root_a, root_b):
            continue
        judgements.append(Judgement("merge", str(root_a), str(root_b),
                                    [*_names(a), *_names(b)], match.score, match.reasons,
                                    "auto", note="identical " + ", ".join(match.strong)))
        planned.parents[root_b] = root_a
        planned.refresh()
    if not judgements:
        return Outcome()
    return _write_and_apply(store, path, old, judgements)


def _canonical_rank(record: EntityRecord) -> tuple[int, int, str]:
    return ("/wd-Q" not in record.iri, -len(record.sources), record.iri)


def split(store: Store, path: LogLocation, entity: str, *, note: str | None = None,
          project: Project | None = None) -> Outcome:
    """Undo merges and restore the original entities by reloading the affected sources.

    ``entity`` merged into another: its merge is undone (with whatever was merged into it).
    ``entity`` a canonical: every merge into it is undone.

    Raises:
        ResolutionError: nothing is merged with ``entity``, or a source file to reload is gone.

    Source keys are read relative to ``project`` (the folder holding the store; the working
    folder when not given), as :func:`policykg.load.source_key` made them.
    """
    judgements = read_log(path)
    old = replay(judgements)
    iri = URIRef(entity)
    edges = old.edges
    if iri in old.parents:
        undo = [edges[iri]]
    else:
        group = old.group(iri)
        undo = [edges[child] for child in sorted(group) if child in old.parents]
    if not undo:
        msg = f"<{entity}> is not merged with anything"
        raise ResolutionError(msg)
    splits = [Judgement("split", j.canonical, j.other, j.names, j.score,
                        [f"undoes the merge of {j.at}"], "user", note=note) for j in undo]
    new = replay([*judgements, *splits])
    graphs = graphs_mentioning(store, changed_keys(old, new))
    by_iri = {s.iri: s for s in list_sources(store)}
    reload: dict[str, list[Path]] = {}
    missing = []
    for graph in sorted(graphs):
        source = by_iri.get(graph)
        if source is None:
            missing.append(f"<{graph}> (not a loaded source)")
            continue
        file = project_base(project) / source.key
        if not file.is_file():
            missing.append(f"{source.key} (recorded relative to the folder of the store)")
            continue
        reload.setdefault(source.format, []).append(file)
    if missing:
        msg = ("cannot split: the sources to reload are gone: " + "; ".join(missing)
               + ". Restore the files (or remove those sources) and try again")
        raise ResolutionError(msg)
    size = append_judgements(path, splits)
    try:
        for format_name, files in sorted(reload.items()):
            load_paths(store, files, format_name=format_name, lenient=True, force=True,
                       rewrite=new or None, project=project)
    except BaseException:
        truncate_log(path, size)
        raise
    return Outcome(splits, sorted(graphs), new.warnings)
