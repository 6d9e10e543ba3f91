"""The CLI on a SPARQL server (POLICYKG_STORE=URL) answers as on the embedded store.

Each server gets examples/ and the FtM payments sample loaded through the CLI; ``stats``,
``query funding``, ``query profile`` and ``validate`` must print what the embedded store
prints, a failed load must fail with the same line and change nothing, and a loading client
killed with SIGKILL mid-load must leave the server's graphs as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policykg.cli import cli
from policykg.graph.store_remote import STAGING, SparqlStore
from tests.conftest import EXAMPLES, SHARED_SAMPLES
from tests.neo4j_fixtures import Neo4jDB
from tests.sparql_fixtures import KINDS, empty

FTM_PAYMENTS = SHARED_SAMPLES / "ftm" / "de_parteispenden_payments.entities.ftm.json"
COMMANDS = [
    ["stats", "--format", "json"],
    ["query", "funding", "--format", "json"],
    ["query", "profile", "Jorge Bustamante", "--format", "json"],
    ["validate"],
    # The researcher's own read-only SPARQL: typed literals (dates, decimals, counts), ORDER BY,
    # a bound parameter, aggregates.
    ["sparql", "SELECT ?name ?start ?end WHERE { ?m org:member ?p ; schema:startDate ?start . "
     "?p skos:prefLabel ?name OPTIONAL { ?m schema:endDate ?end } } ORDER BY ?start ?name",
     "--format", "json"],
    ["sparql", "SELECT ?currency (SUM(?a) AS ?total) (COUNT(?f) AS ?n) (MAX(?a) AS ?top) "
     "WHERE { ?f a pkg:FundingFlow ; pkg:amount ?a ; pkg:currency ?currency } "
     "GROUP BY ?currency ORDER BY ?currency", "--format", "json"],
    ["sparql", "SELECT ?alias WHERE { ?p skos:prefLabel ?name ; skos:altLabel ?alias } "
     "ORDER BY ?alias", "-p", "name=Enrique Peña Nieto", "--format", "csv"],
    ["sparql", "SELECT ?kind (COUNT(*) AS ?n) WHERE { ?f a pkg:Statement ; "
     "pkg:statementKind ?kind } GROUP BY ?kind ORDER BY DESC(?n) ?kind"],
]

pytestmark = pytest.mark.timeout(900)


#: The folder every command runs from, holding copies of the data files. Source keys are
#: paths relative to the folder holding an embedded store, and to the file's project folder
#: (marked by .policykg-project) for a server: with the embedded store and the marker in this
#: folder, both key the same files alike.
WORK: list[Path] = []


def run(store: str, *args: str) -> Result:
    old = os.getcwd()
    if WORK:
        os.chdir(WORK[0])
    try:
        return CliRunner().invoke(cli, list(args), env={"POLICYKG_STORE": store},
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module", autouse=True)
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("work")
    shutil.copytree(EXAMPLES, folder / "examples")
    shutil.copy(FTM_PAYMENTS, folder / FTM_PAYMENTS.name)
    (folder / ".policykg-project").write_text("", encoding="utf-8")
    WORK[:] = [folder]
    yield WORK[0]
    WORK.clear()


def answers(store: str) -> list[str]:
    outputs = []
    for command in COMMANDS:
        result = run(store, *command)
        assert result.exit_code == 0, result.output
        outputs.append(result.output.replace(str(store), "STORE"))
    return outputs


@pytest.fixture(scope="module")
def embedded(work: Path) -> str:
    store = str(work / "store")
    assert run(store, "load", "examples", FTM_PAYMENTS.name).exit_code == 0
    return store


@pytest.fixture(scope="module", params=KINDS)
def remote(request: pytest.FixtureRequest, sparql_servers: dict[str, str]) -> Iterator[str]:
    url = sparql_servers[request.param]
    empty(url)
    result = run(url, "load", "examples", FTM_PAYMENTS.name)
    assert result.exit_code == 0, result.output
    yield url


def test_read_commands_answer_as_on_the_embedded_store(embedded: str, remote: str) -> None:
    assert answers(remote) == answers(embedded)


def test_funding_total_matches_the_raw_payments(remote: str) -> None:
    raw = Decimal(0)
    for line in FTM_PAYMENTS.read_text(encoding="utf-8").splitlines():
        entity = json.loads(line) if line.strip() else None
        if entity and entity["schema"] == "Payment":
            raw += sum(Decimal(a) for a in entity["properties"]["amountEur"])
    totals = json.loads(run(remote, "query", "funding", "--format", "json").output)["totals"]
    (total,) = [r for r in totals if r["currency"] == "EUR"]
    assert Decimal(str(total["amount"])) == raw


def test_a_failed_load_fails_alike_and_changes_nothing(embedded: str, remote: str,
                                                       tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n",
                   encoding="utf-8")
    before = answers(remote)
    failed = [run(store, "load", str(bad)) for store in (embedded, remote)]
    assert [r.exit_code for r in failed] == [1, 1]
    assert failed[0].output == failed[1].output
    assert len(failed[1].output.strip().splitlines()) == 1
    assert answers(remote) == before


def test_sigkill_of_the_loading_client_leaves_the_graphs_as_before(remote: str,
                                                                     tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:
        for i in range(400_000):
            out.write(f"<https://example.org/k{i}> <https://example.org/p> \"{i}\" .\n")
    before = answers(remote)
    store = SparqlStore(remote)
    env = dict(os.environ, POLICYKG_STORE=remote)
    child = subprocess.Popen([sys.executable, "-m", "policykg.cli", "load", str(big)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        staging = "SELECT ?g WHERE { GRAPH <urn:policykg:system> { ?g ?p ?o } }"
        while time.monotonic() < deadline and child.poll() is None:
            rows = store._rows(staging, dataset=False)
            if any(str(r["g"]).startswith(STAGING) for r in rows):
                break
            time.sleep(0.05)
        assert child.poll() is None, "the load ended before it could be killed"
        time.sleep(0.5)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert answers(remote) == before


def _source_keys(store: str) -> list[str]:
    result = run(store, "sources", "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(row["source"] for row in json.loads(result.output))


def test_sources_remove_answers_as_on_the_embedded_store(embedded: str, remote: str) -> None:
    keys = _source_keys(embedded)
    assert _source_keys(remote) == keys
    (facts,) = [k for k in keys if k.endswith("03-facts.yaml")]
    try:
        removed = [run(store, "sources", "--remove", facts) for store in (embedded, remote)]
        assert [r.exit_code for r in removed] == [0, 0], removed[1].output
        assert removed[1].output.replace(remote, "STORE") == \
            removed[0].output.replace(embedded, "STORE")
        assert _source_keys(remote) == _source_keys(embedded) == [k for k in keys if k != facts]
        assert answers(remote) == answers(embedded)
        missing = run(remote, "sources", "--remove", facts)
        assert missing.exit_code == 1
        assert missing.output == run(embedded, "sources", "--remove", facts).output
    finally:
        for store in (embedded, remote):  # the module's stores hold the examples again
            assert run(store, "load", "examples").exit_code == 0  # the copy in WORK
    assert answers(remote) == answers(embedded)


@pytest.mark.neo4j
def test_mirror_from_the_server_equals_the_mirror_of_the_embedded_store(
        embedded: str, remote: str, neo4j_db: Neo4jDB, request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params["remote"] == "fuseki":
        # Known, not fixed yet: Fuseki keeps decimals canonical (75000000.0), which does not
        # read back from a float as written, so the mirror stores them as strings.
        request.applymarker(pytest.mark.xfail(strict=True, reason="Fuseki decimals"))
    graphs = []
    for store in (embedded, remote):
        neo4j_db.clear()
        result = run(store, "mirror", "--full")
        assert result.exit_code == 0, result.output
        graphs.append(neo4j_db.dump())
    assert graphs[0] == graphs[1]
    assert graphs[0]["nodes"]  # something was mirrored
