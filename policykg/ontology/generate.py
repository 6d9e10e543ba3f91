"""Generate :mod:`policykg.ontology.namespace` from ``policykg.ttl``.

Run ``python -m policykg.ontology.generate`` after editing the Turtle; a test fails while the two
differ, so a term can never exist in one and not the other.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

__all__ = ["render_namespace_module", "NAMESPACE_IRI", "ONTOLOGY_PATH", "MODULE_PATH"]

NAMESPACE_IRI = "https://w3id.org/policykg/ns#"
ONTOLOGY_PATH = Path(__file__).with_name("policykg.ttl")
MODULE_PATH = Path(__file__).with_name("namespace.py")


def render_namespace_module(ontology: Path = ONTOLOGY_PATH) -> str:
    """Return the source text of the namespace module for the terms defined in ``ontology``."""
    graph = Graph().parse(ontology, format="turtle")
    terms: dict[str, str] = {}
    for subject in set(graph.subjects()):
        if isinstance(subject, URIRef) and str(subject).startswith(NAMESPACE_IRI):
            name = str(subject)[len(NAMESPACE_IRI) :]
            comment = graph.value(subject, RDFS.comment)
            terms[name] = " ".join(str(comment or "").split())
    lines = [
        '"""The closed policykg namespace. GENERATED from policykg.ttl: do not edit.',
        "",
        "Regenerate with ``python -m policykg.ontology.generate``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from rdflib import URIRef",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "",
        '__all__ = ["PKG"]',
        "",
        "",
        "class PKG(DefinedNamespace):",
        '    """policykg ontology terms; an unknown attribute raises AttributeError."""',
        "",
        "    _fail = True",
        "",
    ]
    for name in sorted(terms, key=lambda n: (n[0].islower(), n)):
        lines.append(f"    {name}: URIRef  # {terms[name]}")
    lines += ["", f'    _NS = Namespace("{NAMESPACE_IRI}")', ""]
    return "\n".join(lines)


def main() -> int:
    MODULE_PATH.write_text(render_namespace_module(), encoding="utf-8")
    print(f"wrote {MODULE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
