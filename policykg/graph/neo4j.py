"""Connecting to Neo4j: configuration from the environment, one-line errors, a read helper.

Every failure to reach the server, log in or find the database becomes a
:class:`~policykg.exceptions.Neo4jUnavailable` whose message is one line and never contains the
password. ``bolt://``, ``neo4j://`` and their TLS variants (``neo4j+s://`` for Aura and clusters)
are accepted as the driver accepts them. Credentials written into the URI
(``bolt://user:secret@host``) are taken out of it at once and passed to the driver as auth, so
the URI that is shown, logged or put into a message never holds them.

Example:
    >>> config = Neo4jConfig.from_env(uri="bolt://ana:s%40cret@db.example.org:7687")
    >>> config.uri, config.user, config.password
    ('bolt://db.example.org:7687', 'ana', 's@cret')
    >>> config
    Neo4jConfig(uri='bolt://db.example.org:7687', user='ana', database='neo4j')
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import unquote

import neo4j
from neo4j import exceptions as neo4j_errors

from policykg.exceptions import Neo4jUnavailable

# The driver logs each broken connection at ERROR level; without a handler Python prints those
# records to stderr. Every such failure reaches the user as one Neo4jUnavailable line instead.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_URI",
    "DEFAULT_USER",
    "DEFAULT_DATABASE",
    "Neo4jConfig",
    "connect",
    "run_read",
    "unavailable",
    "driver_errors",
    "split_credentials",
    "redact",
]

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"

T = TypeVar("T")

#: Driver exceptions that mean "Neo4j cannot be used right now" (server gone, auth, database).
driver_errors: tuple[type[BaseException], ...] = (
    neo4j_errors.DriverError,
    neo4j_errors.Neo4jError,
)


# scheme://userinfo@rest; the greedy userinfo runs to the last "@" (a password may hold "@").
_CREDENTIALS = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>.*)@(?P<rest>[^@]*)$",
                          re.DOTALL)
_USERINFO_IN_TEXT = re.compile(r"(?<=://)[^\s/'\"]*@")


def split_credentials(uri: str) -> tuple[str, str | None, str | None]:
    """``(uri without userinfo, user, password)``; user and password are percent-decoded.

    >>> split_credentials("neo4j+s://u:p%3Aw@host:7687?x=1")
    ('neo4j+s://host:7687?x=1', 'u', 'p:w')
    >>> split_credentials("bolt://localhost:7687")
    ('bolt://localhost:7687', None, None)
    """
    match = _CREDENTIALS.match(uri.strip())
    if not match:
        return uri, None, None
    user, colon, password = match["info"].partition(":")
    return (match["scheme"] + match["rest"], unquote(user) or None,
            unquote(password) if colon else None)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` on one line with any URI userinfo and each of ``secrets`` masked."""
    line = _USERINFO_IN_TEXT.sub("***@", " ".join(text.split()))
    for secret in secrets:
        if secret:
            line = line.replace(secret, "***")
    return line


@dataclass(frozen=True)
class Neo4jConfig:
    """Where and as whom to connect. ``password`` is never shown in ``repr`` or messages."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE

    def __post_init__(self) -> None:
        # Credentials in the URI move to user/password; explicit fields win over them.
        uri, user, password = split_credentials(self.uri)
        if uri != self.uri:
            object.__setattr__(self, "uri", uri)
            if user and self.user == DEFAULT_USER:
                object.__setattr__(self, "user", user)
            if self.password is None and password:
                object.__setattr__(self, "password", password)

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> Neo4jConfig:
        """Arguments win over ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
        ``NEO4J_DATABASE``, which win over the defaults."""
        env = os.environ
        clean, uri_user, uri_password = split_credentials(uri or env.get("NEO4J_URI")
                                                          or DEFAULT_URI)
        if password is None:
            password = uri_password or env.get("NEO4J_PASSWORD") or None
        return cls(
            uri=clean,
            user=user or uri_user or env.get("NEO4J_USERNAME") or DEFAULT_USER,
            password=password,
            database=database or env.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
        )

    def with_overrides(self, **changes: Any) -> Neo4jConfig:
        """A copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def scrub(self, text: str) -> str:
        """``text`` on one line with the password and any URI userinfo masked."""
        return redact(text, self.password)


def _first_line(exc: BaseException, limit: int = 240) -> str:
    """The exception's message on one line, shortened."""
    text = " ".join(str(getattr(exc, "message", None) or exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def unavailable(config: Neo4jConfig, exc: BaseException, doing: str = "") -> Neo4jUnavailable:
    """A one-line :class:`Neo4jUnavailable` describing a driver exception."""
    where = f"Neo4j at {config.uri}"
    suffix = f" while {doing}" if doing else ""
    if isinstance(exc, neo4j_errors.AuthError):
        msg = f"{where} rejected the credentials of user {config.user!r}{suffix}"
        msg += " (check NEO4J_USERNAME and NEO4J_PASSWORD)"
    elif isinstance(exc, neo4j_errors.Neo4jError) and (exc.code or "").endswith(
        "DatabaseNotFound"
    ):
        msg = f"{where} has no database {config.database!r} (check NEO4J_DATABASE)"
    elif isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired):
        msg = f"cannot reach {where}{suffix}: {_first_line(exc)}"
    elif isinstance(exc, neo4j_errors.ConfigurationError | ValueError | ImportError):
        # ImportError: a scheme the driver serves through an optional package (http://)
        msg = f"invalid Neo4j URI {config.uri!r}: {_first_line(exc)}"
    else:
        msg = f"{where} failed{suffix}: {_first_line(exc)}"
    return Neo4jUnavailable(config.scrub(msg))


def connect(config: Neo4jConfig, **driver_options: Any) -> neo4j.Driver:
    """A driver whose server, credentials and database have been checked.

    Raises:
        Neo4jUnavailable: unreachable server, rejected credentials, missing database or a
            malformed URI; one line, without the password.
    """
    auth = (config.user, config.password) if config.password else None
    driver_options.setdefault("notifications_min_severity", "OFF")
    try:
        driver = neo4j.GraphDatabase.driver(config.uri, auth=auth, **driver_options)
    except (neo4j_errors.ConfigurationError, ValueError, ImportError) as exc:
        raise unavailable(config, exc) from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=config.database,
                             routing_=neo4j.RoutingControl.READ)
    except (neo4j_errors.DriverError, neo4j_errors.Neo4jError, OSError, ValueError) as exc:
        driver.close()
        raise unavailable(config, exc, "connecting") from None
    return driver


def run_read(
    driver: neo4j.Driver,
    cypher: str,
    params: Mapping[str, Any] | None,
    database: str,
    timeout: float | None = None,
) -> list[dict[str, Any]]:
    """Run a read-only query in a managed read transaction and return its rows as dicts.

    ``timeout`` (seconds) is sent to the server as the transaction timeout.
    """

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [record.data() for record in tx.run(cypher, dict(params or {}))]

    unit: Callable[[neo4j.ManagedTransaction], list[dict[str, Any]]] = (
        neo4j.unit_of_work(timeout=timeout)(work) if timeout is not None else work
    )
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        return session.execute_read(unit)
