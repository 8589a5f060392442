"""Configuration from the environment, read once per call so tests can change it.

Why the environment: the same code runs against the bundled launcher in development and CI and
against a user's own Neo4j (server, cluster, Aura) in production; secrets never live in files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def repo_root() -> Path | None:
    """The source checkout, when running from one (the launcher's pom.xml lives there)."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "tools" / "neo4j-server" / "pom.xml").exists() else None


def data_dir() -> Path:
    """Where the embedded RDF store and the launcher's database live (``IPRG_DATA_DIR``)."""
    env = os.environ.get("IPRG_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    root = repo_root()
    if root is not None:
        return root / "var"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "iprg"


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


def neo4j_settings() -> Neo4jSettings:
    """``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE`` point at any Neo4j."""
    return Neo4jSettings(
        uri=os.environ.get("NEO4J_URI") or None,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD") or None,
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


def new_password() -> str:
    """A random password for a launcher started without ``NEO4J_PASSWORD``."""
    return "iprg-" + secrets.token_urlsafe(18)
