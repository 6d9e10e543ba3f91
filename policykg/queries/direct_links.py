"""The SPARQL of the direct-relationship fragments, written from the ontology model.

The ``links`` and ``all_edges`` fragments (``_fragments.yaml``) say in SPARQL what the Neo4j
mirror says with its derived relationships: every n-ary fact is an edge from its
``pkg:edgeSource`` values to its ``pkg:edgeTarget`` values, typed by ``pkg:edgeType`` or by the
value of ``pkg:edgeTypeFrom``. Their Cypher needs nothing per class (it reads the derived
relationships); their SPARQL has one branch per rule, generated here when a fragment is used, so
a fact class added to the ontology reaches ``path``, ``central``, ``cooperation`` and
``relations`` with no edit to any query.

Example:
    >>> from policykg.ontology.model import default_model
    >>> "BIND(\\"FUNDS\\" AS ?relation)" in links_sparql(default_model())
    True
"""

from __future__ import annotations

from functools import lru_cache

from policykg.ontology.model import DirectRelationship, OntologyModel

__all__ = ["GENERATORS", "all_edges_sparql", "links_sparql", "relation_expression"]


def relation_expression(variable: str) -> str:
    """SPARQL for :func:`~policykg.ontology.model.upper_snake` of ``variable``'s value.

    The same steps as the Python rule: the local name, a break before an upper-case letter that
    follows a lower-case letter or digit (and inside runs of capitals), every run of other
    characters (the breaks included) one ``_``, then upper case. The breaks are spaces because
    ``$1_`` would name a group ``1_`` in the regex engine.
    """
    text = f'REPLACE(STR({variable}), "^.*[#/:]", "")'
    text = f'REPLACE({text}, "([a-z0-9])([A-Z])", "$1 $2")'
    text = f'REPLACE({text}, "([A-Z])([A-Z][a-z])", "$1 $2")'
    text = f'REPLACE(REPLACE({text}, "[^A-Za-z0-9_]+", "_"), "^_+|_+$", "")'
    return f"UCASE({text})"


def _typed(model: OntologyModel, rel: DirectRelationship, index: int) -> tuple[str, str]:
    """The type pattern of the facts following ``rel``'s rule, and a VALUES clause if several
    classes share it (a subclass inherits its parent's rule)."""
    classes = model.fact_classes_with(rel.rule)
    if len(classes) == 1:
        return f"a <{classes[0]}>", ""
    variable = f"?class{index}"
    return f"a {variable}", f"VALUES {variable} {{ {' '.join(f'<{c}>' for c in classes)} }} "


def _relation(rel: DirectRelationship, index: int) -> tuple[str, str]:
    """The extra pattern naming the relation, and the BIND of ``?relation``."""
    if rel.edge_type is not None:
        return "", f'BIND("{rel.edge_type}" AS ?relation)'
    variable = f"?type{index}"
    return (f" ; <{rel.type_from}> {variable}",
            f"BIND({relation_expression(variable)} AS ?relation)")


def _branches(model: OntologyModel, touching: bool) -> list[str]:
    branches: list[str] = []
    for index, rel in enumerate(model.rules()):
        typed, values = _typed(model, rel, index)
        named, bind = _relation(rel, index)
        source, target = f"<{rel.source}>", f"<{rel.target}>"
        if not touching:
            branches.append(f"{{ {values}?fact {typed} ; {source} ?src ; {target} ?dst{named} .\n"
                            f"        {bind} }}")
            continue
        branches.append(f"{{ {values}?fact {source} ?node ; {typed} ; {target} ?dst{named} .\n"
                        f"          BIND(?node AS ?src) {bind} }}")
        branches.append(f"{{ {values}?fact {target} ?node ; {typed} ; {source} ?src{named} .\n"
                        f"          BIND(?node AS ?dst) {bind} }}")
    return branches


@lru_cache(maxsize=16)
def links_sparql(model: OntologyModel) -> str:
    """Direct relationships touching any node of ``VALUES ?node {}``: fact, relation, src, dst.

    LATERAL runs the UNION once per node with the node bound, so every branch starts from an
    index (a VALUES join would reach the branches only after evaluating them in full).
    """
    branches = _branches(model, touching=True) or ["{ FILTER(false) }"]
    union = "\n        UNION ".join(branches)
    return ("SELECT DISTINCT ?fact ?relation ?src ?dst\nWHERE {\n  VALUES ?node {}\n"
            f"  LATERAL {{\n        {union}\n  }}\n}}\n")


@lru_cache(maxsize=16)
def all_edges_sparql(model: OntologyModel) -> str:
    """Every direct relationship: fact, relation, src, dst."""
    branches = _branches(model, touching=False) or ["{ FILTER(false) }"]
    union = "\n  UNION ".join(branches)
    return f"SELECT DISTINCT ?fact ?relation ?src ?dst WHERE {{\n  {union}\n}}\n"


#: ``sparql_from_model:`` values in ``_fragments.yaml`` and the function writing each.
GENERATORS = {"links": links_sparql, "all_edges": all_edges_sparql}
