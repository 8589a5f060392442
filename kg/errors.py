"""The errors the project reports to people, each carrying the HTTP status it means.

Why one tree (as Datasette's ``Base400`` → ``NotFound``…): the REST API and the SPARQL endpoint
map exactly these to 4xx/5xx answers and let anything else surface as a 500 (a bug, not the
user's input); the CLI prints one line for these and a traceback for anything else. A module's
own error (``ConsoleError``, ``StoreError``, ``LauncherError``…) subclasses the one that says
whose fault it is, and its message names the cause.
"""

from __future__ import annotations


class IprgError(Exception):
    """Base of every error whose message is meant for the person who caused or can fix it."""

    status = 500


class BadInput(IprgError, ValueError):
    """The request, query or file is wrong (400): the message says what and where."""

    status = 400


class NotFound(IprgError, LookupError):
    """The IRI, number or id asked about is not in the graph (404); the message names it."""

    status = 404


class TooBusy(IprgError):
    """Too many heavy requests at once (429): try again after ``retry_after`` seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(IprgError, RuntimeError):
    """A part the answer needs is missing, down or out of time (503): store, Neo4j, a limit."""

    status = 503
