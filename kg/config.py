"""Every setting in one declared table, and the one way to reach Neo4j.

Why a table (as Datasette's ``SETTINGS``): each setting has a name, an environment variable, a
default and a help text in one place, so the CLI, the server and README cannot disagree (a test
checks README's configuration table against :data:`SETTINGS`). Values are read from the
environment when :func:`settings` is called, not at import time, so tests and ``kg serve``
flags can change them.

Why the environment: the same code runs against the bundled launcher in development and CI and
against a user's own Neo4j (server, cluster, Aura) in production; secrets never live in files.

:func:`neo4j_driver` is the only Neo4j resolver: ``NEO4J_URI`` when set, else the launcher
started by ``kg neo4j start`` (its state file), else :class:`~kg.errors.Unavailable` naming both
ways to fix it. The CLI, the UI console, the mirror, the server and the benches all call it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from limits import parse_many

from kg.errors import BadInput, Unavailable


@dataclass(frozen=True)
class Setting:
    """One declared setting: ``name`` is the :class:`Settings` field, ``env`` its variable."""

    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be positive")
    return value


def _keys(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(",") if k.strip())


def _rate(text: str) -> str:
    value = text.strip()
    if value.lower() in ("off", "none", "0"):
        return ""
    parse_many(value)   # validated here, so a typo fails at start naming the variable
    return value


def _backend(text: str) -> str:
    value = text.strip().lower()
    if value not in ("sparql", "cypher"):
        raise ValueError("must be sparql or cypher")
    return value


#: The settings, in README order. ``default`` None means "unset".
SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "IPRG_DATA_DIR", None,
            "where the RDF store (and the launcher's database) live; default `./var` in a checkout, "
            "else `~/.local/share/iprg`", lambda s: str(Path(s).expanduser().resolve())),
    Setting("store", "IPRG_STORE", None,
            "the RDF store folder (`kg --store`); default `$IPRG_DATA_DIR/store`",
            lambda s: str(Path(s).expanduser().resolve())),
    Setting("host", "IPRG_HOST", "127.0.0.1", "address `kg serve` / `python ui.py` listen on"),
    Setting("port", "IPRG_PORT", 7860, "port `kg serve` / `python ui.py` listen on", _positive_int),
    Setting("backend", "IPRG_BACKEND", "sparql",
            "what the UI, the REST API and the explorer answer from: `sparql` (the embedded store) or "
            "`cypher` (Neo4j: NEO4J_URI, else the launcher); `kg serve --backend`", _backend),
    Setting("workers", "IPRG_WORKERS", 1,
            "server worker processes behind the one port (`kg serve --workers`)", _positive_int),
    Setting("api_keys", "IPRG_API_KEYS", (),
            "comma-separated API keys; when set, `/api` (exports included), `/sparql` and `/viz` need "
            "`X-API-Key` (the UI stays open and signs its own graph and export links)", _keys, secret=True),
    Setting("rate_limit", "IPRG_RATE_LIMIT", "60/second",
            "requests per client (per API key, else per IP) to `/api`, `/sparql` and `/viz`, per worker, "
            "in the `limits` notation (`60/second`, `1000/hour`…); past it 429 with `Retry-After`; "
            "`off` for none", _rate),
    Setting("query_timeout", "IPRG_QUERY_TIMEOUT", 30.0,
            "seconds a user-typed query (`/sparql`, the SPARQL and Cypher consoles, `kg query`) may run; "
            "then it is stopped (SPARQL: its worker process is killed; Cypher: Neo4j's transaction timeout) "
            "and the answer is 503", _positive_float),
    Setting("query_max_rows", "IPRG_QUERY_MAX_ROWS", 10_000,
            "rows (or triples) a user-typed query's answer may hold; more are cut and marked "
            "(`X-IPRG-Truncated: true`, the consoles say so)", _positive_int),
    Setting("query_max_bytes", "IPRG_QUERY_MAX_BYTES", 32 * 1024 * 1024,
            "bytes of values a SPARQL answer may hold before it is cut like the row limit", _positive_int),
    Setting("query_workers", "IPRG_QUERY_WORKERS", 2,
            "SPARQL worker processes per server worker, which is also how many user-typed queries may run "
            "at once; one more answers 429 with `Retry-After`", _positive_int),
    Setting("max_body", "IPRG_MAX_BODY", 65_536,
            "bytes a request body (POST `/sparql`) may have; past it 413", _positive_int),
    Setting("neo4j_uri", "NEO4J_URI", None,
            "any Neo4j (server, cluster `neo4j://…`, Aura `neo4j+s://…`) to mirror into and query; unset: "
            "the launcher of `kg neo4j start` when it runs"),
    Setting("neo4j_user", "NEO4J_USER", "neo4j", "Neo4j user"),
    Setting("neo4j_password", "NEO4J_PASSWORD", None,
            "Neo4j password (the launcher makes a random one when unset)", secret=True),
    Setting("neo4j_database", "NEO4J_DATABASE", "neo4j", "Neo4j database name"),
    Setting("neo4j_launcher_dir", "IPRG_NEO4J_LAUNCHER_DIR", None,
            "the launcher's Maven project when running outside a checkout; default `tools/neo4j-server`"),
    Setting("neo4j_port", "IPRG_NEO4J_PORT", None, "Bolt port for `kg neo4j start`; default a free port",
            _positive_int),
)


@dataclass(frozen=True)
class Settings:
    """The values of :data:`SETTINGS` at one moment (see :func:`settings`)."""

    data_dir: str | None = None
    store: str | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    backend: str = "sparql"
    workers: int = 1
    api_keys: tuple[str, ...] = ()
    rate_limit: str = "60/second"
    query_timeout: float = 30.0
    query_max_rows: int = 10_000
    query_max_bytes: int = 32 * 1024 * 1024
    query_workers: int = 2
    max_body: int = 65_536
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    neo4j_launcher_dir: str | None = None
    neo4j_port: int | None = None

    def but(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (None values are ignored, so CLI flags can pass through)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def __repr__(self) -> str:  # never print a secret
        shown = ", ".join(f"{s.name}={'***' if s.secret and getattr(self, s.name) else getattr(self, s.name)!r}"
                          for s in SETTINGS)
        return f"Settings({shown})"


assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)], "SETTINGS and Settings differ"


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default ``os.environ``); a bad value names its variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = env.get(s.env)
        if raw is None or raw == "":
            values[s.name] = s.default
            continue
        try:
            values[s.name] = s.parse(raw)
        except ValueError as exc:
            raise BadInput(f"{s.env}={raw!r} is not valid: {exc}") from exc
    return Settings(**values)


def repo_root() -> Path | None:
    """The source checkout, when running from one (the launcher's pom.xml lives there)."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "tools" / "neo4j-server" / "pom.xml").exists() else None


def data_dir(current: Settings | None = None) -> Path:
    """Where the embedded RDF store and the launcher's database live (``IPRG_DATA_DIR``)."""
    chosen = (current or settings()).data_dir
    if chosen:
        return Path(chosen)
    root = repo_root()
    if root is not None:
        return root / "var"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "iprg"


def store_dir(current: Settings | None = None) -> Path:
    """The RDF store folder: ``IPRG_STORE``, else ``$IPRG_DATA_DIR/store``."""
    s = current or settings()
    return Path(s.store) if s.store else data_dir(s) / "store"


def new_password() -> str:
    """A random password for a launcher started without ``NEO4J_PASSWORD``."""
    return "iprg-" + secrets.token_urlsafe(18)


# ----------------------------------------------------------------------------- Neo4j


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the Neo4j mirror lives. ``uri`` None means "no Neo4j configured"."""

    uri: str | None
    user: str
    password: str | None
    database: str

    @property
    def configured(self) -> bool:
        return bool(self.uri)


def neo4j_settings(current: Settings | None = None) -> Neo4jSettings:
    """``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE`` (no launcher fallback)."""
    s = current or settings()
    return Neo4jSettings(s.neo4j_uri, s.neo4j_user, s.neo4j_password, s.neo4j_database)


def launcher_state_file(current: Settings | None = None) -> Path:
    """The state file ``kg neo4j start`` writes (mode 0600): pid, Bolt URI, user, password."""
    return data_dir(current) / "neo4j" / "state.json"


def launcher_state(current: Settings | None = None) -> dict[str, Any] | None:
    """The running launcher's state as written by ``kg neo4j start``, or None."""
    path = launcher_state_file(current)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Neo4jTarget:
    """A Neo4j to connect to and where that came from (``NEO4J_URI`` or the launcher)."""

    uri: str
    user: str
    password: str
    database: str
    origin: str


NO_NEO4J = ("no Neo4j configured: NEO4J_URI is not set and no launcher is running; set NEO4J_URI "
            "(and NEO4J_USER/NEO4J_PASSWORD) or start the bundled server with `kg neo4j start`")


def neo4j_target(current: Settings | None = None) -> Neo4jTarget | None:
    """``NEO4J_URI`` when set, else the launcher started by ``kg neo4j start``, else None."""
    s = current or settings()
    if s.neo4j_uri:
        return Neo4jTarget(s.neo4j_uri, s.neo4j_user, s.neo4j_password or "", s.neo4j_database, "NEO4J_URI")
    state = launcher_state(s)
    if state is None:
        return None
    return Neo4jTarget(state["uri"], state["user"], state["password"], s.neo4j_database,
                       f"launcher pid {state['pid']}")


def neo4j_driver(current: Settings | None = None, *, connection_timeout: float = 10.0,
                 max_transaction_retry_time: float | None = None):
    """A Neo4j driver for :func:`neo4j_target`; :class:`Unavailable` when there is none."""
    from neo4j import GraphDatabase  # heavy third-party module, loaded only when Neo4j is used

    target = neo4j_target(current)
    if target is None:
        raise Unavailable(NO_NEO4J)
    extra = {} if max_transaction_retry_time is None else {"max_transaction_retry_time": max_transaction_retry_time}
    return GraphDatabase.driver(target.uri, auth=(target.user, target.password),
                                connection_timeout=connection_timeout, **extra)
