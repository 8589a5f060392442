"""The published ontology, vocabulary and SHACL shapes, shipped as package data.

Why a package: after a non-editable ``pip install .`` the Turtle files must still be found;
``importlib.resources`` finds them inside the installed package wherever it lives.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FILES = ("iprg.ttl", "vocabulary.ttl", "shapes.ttl")


def path(name: str) -> Path:
    """Absolute path of one of the ontology files (``iprg.ttl``, ``vocabulary.ttl``, ``shapes.ttl``)."""
    if name not in FILES:
        raise ValueError(f"unknown ontology file {name!r}; expected one of {FILES}")
    return Path(str(resources.files(__name__).joinpath(name)))
