"""A password written into the Neo4j URI is used as auth and never printed or logged."""

from __future__ import annotations

import logging
import socket
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.neo4j import Neo4jConfig, redact, split_credentials

COMMANDS = [
    ["neo4j-status"],
    ["mirror"],
    ["pull"],
    ["cypher", "RETURN 1 AS one"],
    ["query", "funding", "--backend", "neo4j"],
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(args: list[str], store: Any, env: dict[str, str], *extra: str) -> Any:
    runner = CliRunner()
    return runner.invoke(cli, ["--store", str(store), *args, *extra], env=env,
                         catch_exceptions=False)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of the driver and of policykg, down to DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in ("neo4j", "policykg"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_split_credentials() -> None:
    assert split_credentials("bolt://ana:se%2Fcr%40t@db:7687") == ("bolt://db:7687", "ana",
                                                                   "se/cr@t")
    assert split_credentials("bolt://ana:p@ss@db:7687") == ("bolt://db:7687", "ana", "p@ss")
    assert split_credentials("neo4j+s://ana@db") == ("neo4j+s://db", "ana", None)
    assert split_credentials("bolt://db:7687") == ("bolt://db:7687", None, None)
    config = Neo4jConfig(uri="bolt://ana:hunter2@db:7687")
    assert (config.uri, config.user, config.password) == ("bolt://db:7687", "ana", "hunter2")
    assert "hunter2" not in repr(config)
    explicit = Neo4jConfig.from_env(uri="bolt://ana:hunter2@db", user="bob", password="pw")
    assert (explicit.user, explicit.password) == ("bob", "pw")
    assert redact("failed for bolt://x:hunter2@db and neo4j://y@z", "hunter2") == (
        "failed for bolt://***@db and neo4j://***@z")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_password_in_uri_never_printed_when_unreachable(
        tmp_path: Any, command: list[str], debug_logs: pytest.LogCaptureFixture) -> None:
    secret = "Unreachable-s3cret"
    env = {"NEO4J_URI": f"bolt://neo4j:{secret}@127.0.0.1:{_free_port()}",
           "NEO4J_PASSWORD": "", "NEO4J_USERNAME": ""}
    result = _run(command, tmp_path / "store", env)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: cannot reach Neo4j at bolt://127.0.0.1:"), (
        result.output)
    assert secret not in result.output
    assert secret not in debug_logs.text
    result = _run(command, tmp_path / "store", {}, "--uri",
                  f"bolt://neo4j:{secret}@127.0.0.1:{_free_port()}")
    assert result.exit_code == 1 and secret not in result.output, result.output


def test_password_in_malformed_uri_never_printed(tmp_path: Any) -> None:
    secret = "Malformed-s3cret"
    result = _run(["neo4j-status"], tmp_path / "store",
                  {"NEO4J_URI": f"http://neo4j:{secret}@127.0.0.1:1"})
    assert result.exit_code == 1
    assert result.output.startswith("Error: invalid Neo4j URI 'http://127.0.0.1:1'"), (
        result.output)
    assert secret not in result.output


@pytest.mark.neo4j
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_password_in_uri_is_used_and_never_printed(
        tmp_path: Any, neo4j_auth_server: dict[str, Any], command: list[str],
        debug_logs: pytest.LogCaptureFixture) -> None:
    password = str(neo4j_auth_server["password"])
    user = str(neo4j_auth_server.get("user") or "neo4j")
    scheme, _, address = str(neo4j_auth_server["uri"]).partition("://")
    good = {"NEO4J_URI": f"{scheme}://{user}:{quote(password, safe='')}@{address}",
            "NEO4J_PASSWORD": "", "NEO4J_USERNAME": ""}
    result = _run(command, tmp_path / "store", good)
    assert result.exit_code == 0, result.output  # the URI's credentials logged in
    assert password not in result.output and quote(password, safe="") not in result.output
    wrong = "Wrong-s3cret-in-uri"
    bad = {**good, "NEO4J_URI": f"{scheme}://{user}:{wrong}@{address}"}
    result = _run(command, tmp_path / "store", bad)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Neo4j at {scheme}://{address} rejected the "
                                    f"credentials of user '{user}'"), result.output
    assert wrong not in result.output
    for secret in (password, wrong):
        assert secret not in debug_logs.text
