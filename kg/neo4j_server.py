"""Build, start, stop and inspect the bundled Neo4j Community launcher (tools/neo4j-server).

Why: tests, CI and local development need a real Neo4j over Bolt and this workplace has no
Docker; Maven Central has Neo4j's jars, so a 60-line Java class runs it embedded. Users with
their own Neo4j never touch this: they set ``NEO4J_URI`` instead.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from kg import config
from kg.errors import Unavailable

#: JVM options beyond heap and GC (``IPRG_NEO4J_JAVA_OPTS`` replaces them).
JAVA_OPTS: tuple[str, ...] = ()
READY_PREFIX = "IPRG-NEO4J READY "
ERROR_PREFIX = "IPRG-NEO4J ERROR "


class LauncherError(Unavailable):
    """The launcher could not be built, started, reached or stopped; the message says why."""


@dataclass(frozen=True)
class ServerInfo:
    """A running launcher: what a client needs to connect and what ``stop`` needs to end it."""

    pid: int
    port: int
    uri: str
    user: str
    password: str
    home: str
    log: str
    version: str


def launcher_dir() -> Path:
    """The Maven project of the launcher (``IPRG_NEO4J_LAUNCHER_DIR`` or the checkout's)."""
    chosen = config.settings().neo4j_launcher_dir
    if chosen:
        path = Path(chosen)
    else:
        root = config.repo_root()
        if root is None:
            raise LauncherError(
                "the Neo4j launcher sources were not found: run from a checkout of ip-rule-graph "
                "or set IPRG_NEO4J_LAUNCHER_DIR to its tools/neo4j-server folder; "
                "or point NEO4J_URI at your own Neo4j"
            )
        path = root / "tools" / "neo4j-server"
    if not (path / "pom.xml").exists():
        raise LauncherError(f"no pom.xml in {path}")
    return path


def _classpath(path: Path) -> str:
    return os.pathsep.join([str(path / "target" / "classes"), str(path / "target" / "lib" / "*")])


def is_built(path: Path | None = None) -> bool:
    path = path or launcher_dir()
    return (path / "target" / "classes" / "org" / "iprg" / "neo4j" / "Server.class").exists() and any(
        (path / "target" / "lib").glob("neo4j-kernel-*.jar")
    )


def build(force: bool = False) -> Path:
    """``mvn package`` the launcher unless it is built already; returns its folder."""
    path = launcher_dir()
    if is_built(path) and not force:
        return path
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LauncherError("Maven (mvn) is not on PATH; it is needed to build the Neo4j launcher")
    proc = subprocess.run(
        [mvn, "-q", "-B", "package", "-DskipTests"], cwd=path, capture_output=True, text=True
    )
    if proc.returncode != 0 or not is_built(path):
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise LauncherError(f"Maven build of the Neo4j launcher failed:\n{tail}")
    return path


def free_port() -> int:
    """A free loopback TCP port (the launcher binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    home: Path,
    port: int | None = None,
    password: str | None = None,
    timeout: float = 180.0,
    heap: str = "1g",
    page_cache: str = "512m",
    extra_env: Mapping[str, str] | None = None,
    java_opts: Sequence[str] | None = None,
) -> ServerInfo:
    """Start the launcher as a detached process and wait for its READY line.

    Heap 1 GiB and page cache 512 MiB suit a 2-core, 24 GiB machine that also runs the tests,
    the Python app and a browser; raise them with ``heap``/``page_cache`` for big graphs.
    ``java_opts`` (default: ``IPRG_NEO4J_JAVA_OPTS``, split on spaces, else :data:`JAVA_OPTS`)
    are further JVM options.
    """
    path = build()
    java = shutil.which("java")
    if java is None:
        raise LauncherError("java is not on PATH; the Neo4j launcher needs Java 17")
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    password = password or config.settings().neo4j_password or config.new_password()
    log = home / "neo4j-launcher.log"
    env = dict(os.environ)
    env.update(
        {
            "IPRG_NEO4J_HOME": str(home / "dbms"),
            "IPRG_NEO4J_PORT": str(port),
            "NEO4J_PASSWORD": password,
            "IPRG_NEO4J_PAGECACHE": page_cache,
        }
    )
    env.update(extra_env or {})
    if java_opts is None:
        java_opts = os.environ.get("IPRG_NEO4J_JAVA_OPTS", " ".join(JAVA_OPTS)).split()
    cmd = [java, f"-Xmx{heap}", "-Xms256m", "-XX:+UseG1GC", *java_opts, "-cp", _classpath(path),
           "org.iprg.neo4j.Server"]
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith(READY_PREFIX):
                version = line.rsplit("version=", 1)[-1].strip()
                return ServerInfo(
                    pid=proc.pid, port=port, uri=f"bolt://127.0.0.1:{port}", user="neo4j",
                    password=password, home=str(home), log=str(log), version=version,
                )
            if line.startswith(ERROR_PREFIX):
                proc.wait(timeout=10)
                raise LauncherError(line[len(ERROR_PREFIX):])
        if proc.poll() is not None:
            tail = "\n".join(text.splitlines()[-15:])
            raise LauncherError(f"Neo4j launcher exited with code {proc.returncode}:\n{tail}")
        time.sleep(0.25)
    _terminate(proc.pid)
    raise LauncherError(f"Neo4j launcher did not report ready within {timeout:.0f}s (log: {log})")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0): reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _terminate(pid: int, timeout: float = 60.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def stop(info: ServerInfo, timeout: float = 60.0) -> None:
    """SIGTERM (clean shutdown through the launcher's hook), SIGKILL after ``timeout``."""
    _terminate(info.pid, timeout)


def kill(info: ServerInfo) -> None:
    """SIGKILL, no shutdown: what fault-injection tests use to simulate a crash."""
    try:
        os.kill(info.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(info.pid):
        time.sleep(0.05)


def server_version(uri: str, user: str, password: str | None, timeout: float = 10.0) -> str:
    """Ask a live server over Bolt for its name, version and edition."""
    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(uri, auth=(user, password or ""), connection_timeout=timeout) as drv:
            records, _, _ = drv.execute_query(
                "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
            )
    except Exception as exc:  # the driver raises several unrelated types for "not reachable"
        raise LauncherError(f"no Neo4j answering at {uri}: {exc}") from exc
    rec = records[0]
    return f"{rec['name']} {rec['versions'][0]} {rec['edition']}"


# --- the CLI's single background server, remembered in a state file -------------------------

def state_file() -> Path:
    """Where ``kg neo4j start`` remembers its server (see :func:`kg.config.launcher_state_file`)."""
    return config.launcher_state_file()


def cli_start(port: int | None = None) -> ServerInfo:
    current = cli_state()
    if current is not None and _alive(current.pid):
        raise LauncherError(f"a launcher is already running (pid {current.pid}, {current.uri})")
    home = config.data_dir() / "neo4j"
    info = start(home=home, port=port or config.settings().neo4j_port)
    state = state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(info), fh)
    return info


def cli_state() -> ServerInfo | None:
    state = config.launcher_state()
    return None if state is None else ServerInfo(**state)


def cli_stop() -> ServerInfo | None:
    info = cli_state()
    if info is None:
        return None
    stop(info)
    state_file().unlink(missing_ok=True)
    return info
