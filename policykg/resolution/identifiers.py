"""Identity across sources: one entity for one identifier, and for a name-only namesake.

Run after every load (:func:`policykg.load.load_paths`), over the whole store, so the result does
not depend on which file was loaded first or whether they came in one load:

* **Shared identifier.** Entities of one family carrying the same identifier (``pkg:iatiRef``,
  ``pkg:wikidataId``, ``pkg:ftmId``, ``pkg:popoloId``; the schemes of
  :data:`policykg.identity.IDENTIFIER_SCHEMES`) become one. The entity they become is the one a
  curated record gives that identifier (a researcher's ``identifiers: {iati: US-GOV-11}``), else
  the one whose IRI is minted from the identifier itself (Wikidata's ``wd-Q7747``). Two curated
  records claiming one identifier are left apart (``policykg dedupe`` lists them first).
* **Name only.** An entity marked ``pkg:nameOnly`` (a source that knows nothing but a name, as
  GDELT's persons or an IATI organisation without a ``ref``) becomes the one other entity of its
  family with the same name (folded case and accents), when there is exactly one: a preferred
  name is looked at first, then aliases; two candidates leave it as it is.

Both are explicit rules, not scores. They are applied like merge judgements
(:func:`~policykg.resolution.judgements.rewrite_triples`): the entity is rewritten to the other
in every graph that mentions it, its preferred name becomes an alias there, and the graph keeps
``<old> owl:sameAs <new>`` as the trace. A ``policykg not-same`` judgement between the two keeps
them apart; reloading the file of a rewritten source restores its own IRIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef

from policykg.graph.store import Store
from policykg.graph.terms import Triple
from policykg.identity import IDENTIFIER_SCHEMES, family_of, identifier_iri, normalize_name
from policykg.lookup import name_index
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG
from policykg.resolution.judgements import Rewrites, graphs_mentioning, rewrite_triples

__all__ = ["IdentityMatch", "identifier_matches", "name_only_matches", "resolve_identities"]

_PKG = str(PKG)
_SCHEME_OF = {_PKG + local: scheme for scheme, (local, _) in IDENTIFIER_SCHEMES.items()}
#: Families whose members are entities resolution may merge (``pkg:resolutionOrder``).
_ENTITY_FAMILIES = frozenset(default_model().resolution_families)
_CURATED = "curated"
_NAME_ONLY = str(PKG.nameOnly)


@dataclass(frozen=True)
class IdentityMatch:
    """``other`` is now ``canonical``, because of ``reason`` ("iati US-GOV-11", "name ...")."""

    other: URIRef
    canonical: URIRef
    reason: str

    def __str__(self) -> str:
        return f"<{self.other}> is <{self.canonical}> (same {self.reason})"


_PREDICATES = " ".join(f"pkg:{local}" for local, _ in IDENTIFIER_SCHEMES.values())
# Only identifiers held by two entities or more: a store of a million FtM ids returns few rows.
_SHARED = f"""
SELECT DISTINCT ?s ?p ?v ?format ?type WHERE {{
  {{ SELECT ?p ?v WHERE {{ VALUES ?p {{ {_PREDICATES} }} ?e ?p ?v FILTER(isIRI(?e)) }}
    GROUP BY ?p ?v HAVING (COUNT(DISTINCT ?e) > 1) }}
  GRAPH ?g {{ ?s ?p ?v }}
  OPTIONAL {{ GRAPH ?g {{ ?g pkg:format ?format }} }}
  OPTIONAL {{ ?s a ?type FILTER(STRSTARTS(STR(?type), STR(pkg:))) }}
}}"""


def _family(types: set[str]) -> str | None:
    families = {family_of(t) for t in types} & _ENTITY_FAMILIES
    return sorted(families)[0] if len(families) == 1 else None


def _blocked(rewrites: Mapping[URIRef, URIRef] | None, a: URIRef, b: URIRef) -> bool:
    return isinstance(rewrites, Rewrites) and rewrites.is_not_same(a, b)


def identifier_matches(
    store: Store, rewrites: Mapping[URIRef, URIRef] | None = None
) -> list[IdentityMatch]:
    """Entities to rewrite because they share an identifier with a canonical one."""
    # (scheme, value) -> {entity: named by a curated record}; the classes of each entity
    groups: dict[tuple[str, str], dict[str, bool]] = {}
    types: dict[str, set[str]] = {}
    for row in store.select(_SHARED):
        scheme, value, subject = _SCHEME_OF[str(row["p"])], str(row["v"]), str(row["s"])
        members = groups.setdefault((scheme, value), {})
        members[subject] = members.get(subject, False) or str(row.get("format", "")) == _CURATED
        if "type" in row:
            types.setdefault(subject, set()).add(str(row["type"])[len(_PKG):])
    matches: dict[str, IdentityMatch] = {}
    for (scheme, value), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        canonical = _canonical(scheme, value, members, types)
        if canonical is None:
            continue
        family = _family(types.get(canonical, set()))
        for iri in sorted(members):
            if iri == canonical or members[iri] or _family(types.get(iri, set())) != family:
                continue
            if iri in matches or _blocked(rewrites, URIRef(iri), URIRef(canonical)):
                continue
            matches[iri] = IdentityMatch(URIRef(iri), URIRef(canonical), f"{scheme} {value}")
    return _flattened(matches)


def _canonical(scheme: str, value: str, members: dict[str, bool],
               types: dict[str, set[str]]) -> str | None:
    """The curated entity with the identifier, else the one minted from it; None if unclear."""
    curated = [iri for iri, is_curated in members.items() if is_curated]
    if curated:
        return curated[0] if len(curated) == 1 else None
    owners = [iri for iri in members
              if any(str(identifier_iri(t, scheme, value)) == iri for t in types.get(iri, ()))]
    return owners[0] if len(owners) == 1 else None


def _flattened(matches: dict[str, IdentityMatch]) -> list[IdentityMatch]:
    """Follow chains (A is B, B is C: A is C); a cycle keeps its first link only."""
    flat = []
    for iri, match in sorted(matches.items()):
        target, seen = str(match.canonical), {iri}
        while target in matches and target not in seen:
            seen.add(target)
            target = str(matches[target].canonical)
        if target == iri:
            continue
        flat.append(IdentityMatch(match.other, URIRef(target), match.reason))
    return flat


def name_only_matches(
    store: Store, rewrites: Mapping[URIRef, URIRef] | None = None
) -> list[IdentityMatch]:
    """Name-only entities with exactly one namesake of their family elsewhere in the store.

    A namesake's preferred name is looked at first, then its aliases, as
    :func:`policykg.lookup.find_entity` does: "Department of State" becomes the one entity
    named so, else the one entity with that alias. Two candidates at the first level that has
    any leave the entity as it is (ambiguous), as does a not-same judgement.
    """
    weak = {str(r["s"]) for r in store.select(
        "SELECT DISTINCT ?s WHERE { ?s pkg:nameOnly true }")}
    if not weak:
        return []
    families: dict[str, set[str]] = {}
    # (kind, family, folded name) -> entities; kind is "name" (preferred) or "alias"
    by_name: dict[tuple[str, str, str], set[str]] = {}
    names: dict[str, list[str]] = {}
    for entry in name_index(store):
        family = family_of(entry.type) if entry.type else ""
        if family not in _ENTITY_FAMILIES:
            continue
        families.setdefault(entry.iri, set()).add(family)
        by_name.setdefault((entry.kind, family, normalize_name(entry.name)), set()).add(
            entry.iri)
        if entry.kind == "name":
            names.setdefault(entry.iri, []).append(entry.name)
    matches = []
    for iri in sorted(weak):
        for kind in ("name", "alias"):
            found = {other for family in families.get(iri, set())
                     for name in names.get(iri, [])
                     for other in by_name.get((kind, family, normalize_name(name)), set())
                     if other != iri and other not in weak}
            if found:
                break
        if len(found) != 1:
            continue
        target = next(iter(found))
        if _blocked(rewrites, URIRef(iri), URIRef(target)):
            continue
        how = "name" if kind == "name" else "name (an alias of the other)"
        matches.append(IdentityMatch(URIRef(iri), URIRef(target),
                                     f"{how} {sorted(names[iri])[0]!r}"))
    return matches


def _apply(store: Store, matches: list[IdentityMatch]) -> None:
    mapping = {m.other: m.canonical for m in matches}
    graphs = sorted(graphs_mentioning(store, mapping))
    if not graphs:
        return
    keys = {str(k) for k in mapping}

    def rewritten(graph: URIRef) -> list[Triple]:
        # The name-only mark belongs to the entity that was rewritten, not to its namesake.
        kept = [t for t in store.graph_triples(graph)
                if not (str(getattr(t[1], "value", t[1])) == _NAME_ONLY
                        and str(getattr(t[0], "value", t[0])) in keys)]
        return list(rewrite_triples(kept, mapping))

    store.replace_graphs((graph, rewritten(graph)) for graph in graphs)


def resolve_identities(
    store: Store, rewrites: Mapping[URIRef, URIRef] | None = None
) -> list[IdentityMatch]:
    """Apply both rules to the store (identifiers first, then names); return what became one.

    ``rewrites``: the replayed judgement log, whose not-same judgements keep pairs apart.
    """
    done = identifier_matches(store, rewrites)
    if done:
        _apply(store, done)
    named = name_only_matches(store, rewrites)
    if named:
        _apply(store, named)
    return done + named
