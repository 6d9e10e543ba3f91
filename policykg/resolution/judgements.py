"""The judgement log: merges, not-same and splits, replayed into one rewrite map.

The log is kept with the store: a JSON-lines file ``judgements.jsonl`` inside the store folder,
or the same lines in a bookkeeping graph of a SPARQL store (:class:`ServerLog`);
``$POLICYKG_JUDGEMENTS`` or the group option ``judgements_path`` name a file instead. So a
reload from any folder replays it; ``policykg judgements export/import`` copy it beside the data.
One line per judgement, appended and never rewritten, so it diffs and merges well under version
control::

    {"action": "merge", "canonical": "https://…/person/enrique-pena-nieto",
     "other": "https://…/person/pena-nieto", "names": ["Enrique Peña Nieto", "Pena Nieto"],
     "score": 0.9, "reasons": ["name: surname match …"], "by": "user",
     "at": "2026-11-28T18:00:00+00:00", "note": null}

Replaying the log (:func:`replay`) gives the current :class:`Rewrites`: every merged-away IRI
mapped to its one canonical IRI (transitive merges followed, merges undone by a later ``split``
dropped, cycles and merges contradicting a ``not-same`` reported and skipped).

The store is rewritten, not annotated: :func:`rewrite_triples` is what :func:`policykg.load.
load_paths` applies to every loaded triple, and what :func:`apply_rewrites` applies to graphs in
place. For a merged-away entity ``B`` of canonical ``A`` it

* replaces ``B`` by ``A`` in subject and object positions;
* turns ``B``'s ``skos:prefLabel`` into a ``skos:altLabel`` of ``A`` (one preferred name stays);
* adds ``B owl:sameAs A`` to the graph (a *trace*: the source still says where ``B`` was);
* marks the source node with ``owl:versionInfo "resolution:<hash>"`` of the merges applied in it,
  so a per-source sync (the Neo4j mirror) sees that the graph changed although its file did not.

Applying a longer log to an already rewritten graph gives the same triples as applying it to the
original graph (the traces carry what is needed), which is what makes in-place merges and reloads
agree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from policykg.exceptions import ResolutionError
from policykg.graph.store import Store
from policykg.graph.terms import Triple
from policykg.ontology.namespace import PKG

__all__ = [
    "ACTIONS",
    "DEFAULT_LOG",
    "LogLocation",
    "ServerLog",
    "STORE_LOG",
    "Judgement",
    "Rewrites",
    "append_judgements",
    "apply_rewrites",
    "current_rewrites",
    "graphs_mentioning",
    "log_path",
    "truncate_log",
    "changed_keys",
    "read_log",
    "replay",
    "rewrite_triples",
    "missing_entities",
    "MARKER_PREFIX",
]

ACTIONS = ("merge", "not-same", "split")
DEFAULT_LOG = "policykg-judgements.jsonl"
#: The log's name inside an embedded store's folder (RocksDB leaves files it does not own).
STORE_LOG = "judgements.jsonl"
#: Prefix of the ``owl:versionInfo`` marker on a rewritten source node.
MARKER_PREFIX = "resolution:"

_SAME_AS = str(OWL.sameAs)
_PREF = str(SKOS.prefLabel)
_VERSION_INFO = str(OWL.versionInfo)
_SOURCE_CLASS = str(PKG.Source)
_RDF_TYPE = str(RDF.type)
_FIELDS = {"action", "canonical", "other", "names", "score", "reasons", "by", "at", "note"}


@dataclass
class Judgement:
    """One line of the log."""

    action: str
    canonical: str
    other: str
    names: list[str] = field(default_factory=list)
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    by: str = "user"
    at: str = ""
    note: str | None = None
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.at:
            self.at = datetime.now(UTC).replace(microsecond=0).isoformat()

    def to_json(self) -> str:
        """One JSON line (without the newline), keys in a fixed order."""
        data = asdict(self)
        data.pop("line")
        if data["score"] is not None:
            data["score"] = round(float(data["score"]), 4)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, line: int | None = None) -> Judgement:
        """Parse one line; raise ValueError with the reason when it is not a judgement."""
        data = json.loads(text)
        if not isinstance(data, dict):
            msg = "a judgement must be a JSON object"
            raise ValueError(msg)
        unknown = set(data) - _FIELDS
        if unknown:
            msg = f"unknown field(s): {', '.join(sorted(unknown))}"
            raise ValueError(msg)
        action = data.get("action")
        if action not in ACTIONS:
            msg = f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})"
            raise ValueError(msg)
        for key in ("canonical", "other"):
            if not isinstance(data.get(key), str) or not data[key]:
                msg = f"{key!r} must be an entity IRI"
                raise ValueError(msg)
        return cls(
            action=action,
            canonical=data["canonical"],
            other=data["other"],
            names=[str(n) for n in data.get("names") or []],
            score=float(data["score"]) if data.get("score") is not None else None,
            reasons=[str(r) for r in data.get("reasons") or []],
            by=str(data.get("by") or "user"),
            at=str(data.get("at") or ""),
            note=str(data["note"]) if data.get("note") is not None else None,
            line=line,
        )

    def describe(self) -> str:
        """A short human description, naming the log line when known."""
        where = f"line {self.line}: " if self.line else ""
        verb = {"merge": "merge", "not-same": "not-same", "split": "split"}[self.action]
        return f"{where}{verb} <{self.canonical}> <{self.other}>"


class ServerLog:
    """The judgement log of a store on a SPARQL server, kept on that server (a bookkeeping
    graph, see :meth:`~policykg.graph.store_remote.SparqlStore.log_lines`): every client, in
    any folder, replays the same judgements, as with the log inside an embedded store's folder.
    """

    NAME = "judgements"

    def __init__(self, url: str, store: Store | None = None) -> None:
        self.url = url
        self._open = store  # an open handle of that store, if the caller has one

    def __str__(self) -> str:
        from policykg.graph.neo4j import redact

        return f"the judgement log of {redact(self.url)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerLog) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    def _handle(self) -> Any:
        if self._open is not None:
            return self._open
        from policykg.graph.store_remote import SparqlStore

        return SparqlStore(self.url)

    def lines(self) -> list[str]:
        return list(self._handle().log_lines(self.NAME))

    def append(self, lines: list[str]) -> int:
        return int(self._handle().append_log_lines(self.NAME, lines))

    def truncate(self, count: int) -> None:
        self._handle().truncate_log_lines(self.NAME, count)


#: Where a judgement log lives: a JSON-lines file, or a SPARQL store's own bookkeeping graph.
LogLocation = Path | ServerLog


def log_path(obj: Mapping[str, Any] | None = None) -> LogLocation:
    """Where the log lives: ``obj["judgements_path"]``, ``$POLICYKG_JUDGEMENTS``, else with the
    store: inside the store folder ``obj["store_path"]`` (:data:`STORE_LOG`) or on the SPARQL
    server ``obj["store_location"]`` (:class:`ServerLog`), so every load replays it wherever it
    runs from; ``policykg-judgements.jsonl`` in the working folder without a store.
    """
    if obj is not None and obj.get("judgements_path"):
        return Path(obj["judgements_path"])
    env = os.environ.get("POLICYKG_JUDGEMENTS")
    if env:
        return Path(env)
    if obj is not None and obj.get("store_path"):
        return Path(obj["store_path"]) / STORE_LOG
    location = obj.get("store_location") if obj is not None else None
    if isinstance(location, str) and location.lower().startswith(("http://", "https://")):
        return ServerLog(location)
    return Path(DEFAULT_LOG)


def read_log(path: LogLocation) -> list[Judgement]:
    """Every judgement in the log (none when the file does not exist).

    Raises:
        ResolutionError: a line is not a judgement (the message names the file and line).
    """
    if isinstance(path, ServerLog):
        return _parse(str(path), path.lines())
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return _parse(str(path), fh)


def _parse(where: str, lines: Iterable[str]) -> list[Judgement]:
    judgements = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            judgements.append(Judgement.from_json(text, number))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            msg = f"{where}:{number}: not a judgement: {exc}"
            raise ResolutionError(msg) from exc
    return judgements


def append_judgements(path: LogLocation, judgements: Iterable[Judgement]) -> int:
    """Append judgements to the log, durably; return the log's size before (for rollback)."""
    if isinstance(path, ServerLog):
        return path.append([judgement.to_json() for judgement in judgements])
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_size if path.exists() else 0
    with path.open("a", encoding="utf-8") as fh:
        if before:
            with path.open("rb") as check:
                check.seek(before - 1)
                if check.read(1) != b"\n":
                    fh.write("\n")
        for judgement in judgements:
            fh.write(judgement.to_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return before


def truncate_log(path: LogLocation, size: int) -> None:
    """Undo an append (used when applying a judgement to the store failed)."""
    if isinstance(path, ServerLog):
        path.truncate(size)
        return
    if size == 0:
        path.unlink(missing_ok=True)
        return
    with path.open("r+b") as fh:
        fh.truncate(size)


# ---------------------------------------------------------------------------------- replay


class Rewrites(Mapping[URIRef, URIRef]):
    """The current merges: merged-away IRI → canonical IRI, with the chain of each merge.

    ``parents`` keeps the merge tree (each merged entity points to the entity it was merged
    into, which may itself be merged further); the mapping flattens it to the root.
    """

    def __init__(
        self,
        parents: Mapping[URIRef, URIRef] | None = None,
        warnings: list[str] | None = None,
        not_same: Iterable[tuple[URIRef, URIRef]] = (),
    ) -> None:
        self.parents: dict[URIRef, URIRef] = dict(parents or {})
        self.warnings: list[str] = list(warnings or [])
        self.not_same: set[frozenset[URIRef]] = {frozenset(p) for p in not_same}
        #: The merge judgement behind each entry of ``parents``.
        self.edges: dict[URIRef, Judgement] = {}
        #: Every judgement replayed, in log order.
        self.judgements: list[Judgement] = []
        self._flat: dict[URIRef, URIRef] = {}
        self.refresh()

    def refresh(self) -> None:
        """Recompute the flat map after ``parents`` changed."""
        self._flat = {key: self.root(key) for key in self.parents}

    def root(self, iri: URIRef) -> URIRef:
        """The canonical IRI of ``iri`` (itself when not merged)."""
        seen = {iri}
        while iri in self.parents:
            iri = self.parents[iri]
            if iri in seen:  # replay never builds cycles; a hand-made map might
                break
            seen.add(iri)
        return iri

    def chain(self, iri: URIRef) -> list[URIRef]:
        """``iri`` and every entity it was merged through, without the root."""
        nodes = []
        seen: set[URIRef] = set()
        while iri in self.parents and iri not in seen:
            seen.add(iri)
            nodes.append(iri)
            iri = self.parents[iri]
        return nodes

    def group(self, iri: URIRef) -> set[URIRef]:
        """Every IRI merged into the same canonical as ``iri``, and the canonical."""
        root = self.root(iri)
        return {root} | {k for k, v in self._flat.items() if v == root}

    def is_not_same(self, a: URIRef, b: URIRef) -> bool:
        """True when a recorded not-same separates the groups of ``a`` and ``b``."""
        group_a, group_b = self.group(a), self.group(b)
        return any(len(pair) == 2 and (min(pair) in group_a and max(pair) in group_b
                                       or min(pair) in group_b and max(pair) in group_a)
                   for pair in self.not_same)

    def report(self, store: Store) -> list[str]:
        """The replay warnings plus judgements naming entities ``store`` does not hold."""
        return self.warnings + missing_entities(
            store, [j for j in self.judgements if j.action != "split"])

    def fingerprint(self) -> str:
        """A short hash of the whole map (changes whenever a merge or split does)."""
        return _digest(sorted((str(k), str(v)) for k, v in self._flat.items()))

    def __getitem__(self, key: URIRef) -> URIRef:
        return self._flat[key]

    def __iter__(self) -> Iterator[URIRef]:
        return iter(self._flat)

    def __len__(self) -> int:
        return len(self._flat)

    def __repr__(self) -> str:
        return f"Rewrites({len(self)} merges, {len(self.warnings)} warnings)"


def replay(judgements: Iterable[Judgement]) -> Rewrites:
    """Replay the log in order into the current merges.

    * ``merge A B``: B (and everything merged into B) now resolves to A's canonical.
    * ``split A B``: undoes the earlier merge of B into A (a split line names the merge it
      undoes; splitting an entity writes one line per merge undone).
    * ``not-same A B``: later merges that would unite their groups are skipped with a warning.

    A merge of two entities already in one group is a no-op (reported when it asks for another
    canonical, which would be a cycle); contradictions are reported in ``warnings``, never fatal.
    """
    ordered = list(judgements)
    warnings: list[str] = []
    undone: set[int] = set()
    for index, judgement in enumerate(ordered):
        if judgement.action != "split":
            continue
        pair = (judgement.canonical, judgement.other)
        earlier = [i for i in range(index) if i not in undone and ordered[i].action == "merge"
                   and (ordered[i].canonical, ordered[i].other) == pair]
        if not earlier:
            warnings.append(f"{judgement.describe()}: no earlier merge of this pair to undo")
        undone.update(earlier)
    rewrites = Rewrites()
    for index, judgement in enumerate(ordered):
        if judgement.action == "split" or index in undone:
            continue
        canonical, other = URIRef(judgement.canonical), URIRef(judgement.other)
        if canonical == other:
            warnings.append(f"{judgement.describe()}: names the same entity twice; ignored")
            continue
        root_a, root_b = rewrites.root(canonical), rewrites.root(other)
        if judgement.action == "not-same":
            if root_a == root_b:
                warnings.append(f"{judgement.describe()}: the two are merged by earlier "
                                "judgements; split them first (kept for later merges)")
            rewrites.not_same.add(frozenset((canonical, other)))
            continue
        if root_a == root_b:
            if root_a != canonical:
                warnings.append(f"{judgement.describe()}: the two are already merged into "
                                f"<{root_a}>; making <{canonical}> canonical would make a "
                                "cycle; skipped")
            continue
        if rewrites.is_not_same(canonical, other):
            warnings.append(f"{judgement.describe()}: contradicts a not-same judgement; skipped")
            continue
        rewrites.parents[root_b] = root_a
        rewrites.edges[root_b] = judgement
        rewrites.refresh()
    rewrites.warnings = warnings
    rewrites.judgements = ordered
    return rewrites


def missing_entities(store: Store, judgements: Iterable[Judgement]) -> list[str]:
    """Warnings for judgements naming an IRI the store does not know (not fatal)."""
    warnings = []
    checked: dict[str, bool] = {}
    for judgement in judgements:
        for iri in (judgement.canonical, judgement.other):
            if iri not in checked:
                checked[iri] = store.ask("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }",
                                         {"x": URIRef(iri)})
            if not checked[iri]:
                warnings.append(f"{judgement.describe()}: <{iri}> is not in the store")
    return warnings


def current_rewrites(path: LogLocation, store: Store | None = None) -> Rewrites:
    """Replay the log at ``path`` into the rewrite map to pass to ``load_paths(rewrite=...)``.

    With a store, judgements naming entities the store does not hold are added to
    ``warnings`` (a stale judgement is reported, never fatal); without, call
    :meth:`Rewrites.report` after loading.
    """
    rewrites = replay(read_log(path))
    if store is not None:
        rewrites.warnings = rewrites.report(store)
    return rewrites


# ---------------------------------------------------------------------------------- rewriting


def _digest(items: Iterable[tuple[str, str]]) -> str:
    sha = hashlib.sha256()
    for key, value in items:
        sha.update(f"{key}\x1f{value}\x1e".encode())
    return sha.hexdigest()[:16]


def _iri(term: Any) -> str | None:
    """The IRI of a named node, rdflib or pyoxigraph; None for literals and blank nodes."""
    if isinstance(term, URIRef):
        return str(term)
    value = getattr(term, "value", None)
    if type(term).__name__ == "NamedNode" and isinstance(value, str):
        return value
    return None


def _literal_text(term: Any) -> str:
    """The text of a literal, rdflib or pyoxigraph; '' for anything else."""
    if isinstance(term, Literal):
        return str(term)
    if type(term).__name__ == "Literal":
        return str(getattr(term, "value", ""))
    return ""


def rewrite_triples(
    triples: Iterable[Triple], rewrite: Mapping[URIRef, URIRef]
) -> Iterator[Triple]:
    """Apply merges to the triples of one source graph (see the module docstring)."""
    flat = {str(k): URIRef(v) for k, v in rewrite.items()}
    if not flat:
        yield from triples
        return
    applied: set[str] = set()
    sources: set[Any] = set()
    emitted: set[tuple[str, str]] = set()

    def mapped(term: Any) -> Any:
        iri = _iri(term)
        if iri is not None and iri in flat:
            applied.add(iri)
            return flat[iri]
        return term

    for s, p, o in triples:
        s_iri, p_iri, o_iri = _iri(s), _iri(p), _iri(o)
        if p_iri == _VERSION_INFO and _literal_text(o).startswith(MARKER_PREFIX):
            continue  # the marker is recomputed below
        if p_iri == _RDF_TYPE and o_iri == _SOURCE_CLASS:
            sources.add(s)
        if p_iri == _SAME_AS and s_iri in flat:
            target = mapped(o)
            if str(target) == str(flat[s_iri]):  # a trace of an earlier rewrite: keep it
                applied.add(s_iri)
                emitted.add((s_iri, str(target)))
                yield s, p, target
                continue
        new_s = mapped(s)
        if p_iri == _PREF and s_iri in flat:
            p = SKOS.altLabel
        new_o = mapped(o)
        if p_iri == _SAME_AS and s_iri is not None:
            emitted.add((s_iri, str(new_o)))  # an earlier trace, now pointing further
        yield new_s, p, new_o
    traces: set[tuple[str, str]] = set()
    for key in applied:
        target = str(flat[key])
        traces.add((key, target))
        if isinstance(rewrite, Rewrites):
            traces.update((str(node), target) for node in rewrite.chain(URIRef(key)))
    for key, target in sorted(traces - emitted):
        yield URIRef(key), OWL.sameAs, URIRef(target)
    if traces:
        # Over every trace the graph holds, so the same merges give the same marker whatever
        # the order they were applied in (a name-only match first, an identifier one later).
        marker = Literal(MARKER_PREFIX + _digest(sorted(traces | emitted)))
        for source in sources:
            yield source, OWL.versionInfo, marker


def graphs_mentioning(store: Store, iris: Iterable[URIRef]) -> set[URIRef]:
    """The named graphs in which any of ``iris`` appears as subject or object."""
    found: set[URIRef] = set()
    for iri in iris:
        rows = store.select(
            "SELECT DISTINCT ?g ?x WHERE { GRAPH ?g { { ?x ?p ?o } UNION { ?s ?q ?x } } }",
            {"x": iri},
        )
        found.update(URIRef(str(row["g"])) for row in rows if "g" in row)
    return found


def changed_keys(old: Mapping[URIRef, URIRef], new: Mapping[URIRef, URIRef]) -> set[URIRef]:
    """IRIs whose canonical differs between two maps."""
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


def apply_rewrites(store: Store, old: Rewrites, new: Rewrites) -> list[URIRef]:
    """Rewrite in place, in one transaction, every graph affected by going from ``old`` to ``new``.

    Only valid when ``new`` adds merges to ``old`` (a split must reload from the files).
    Returns the rewritten graphs.
    """
    keys = changed_keys(old, new)
    graphs = sorted(graphs_mentioning(store, keys))
    if graphs:
        store.replace_graphs(
            (graph, list(rewrite_triples(list(store.graph_triples(graph)), new)))
            for graph in graphs
        )
    return graphs
