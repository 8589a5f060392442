"""Load on the read API: req/s and p50/p95/p99 per endpoint for N concurrent clients.

By default it starts its own server (``kg serve`` on a free loopback port, the graph built from
the bundled corpus in a temporary folder, no rate limit), runs N clients (default 50) for D
seconds (default 30) over the mixed reads users make (topics, a topic's rules, measure 15,
search, a cases page, a neighbourhood), and prints one JSON object: per endpoint the request
count, req/s, p50/p95/p99 in ms and the status codes; the server's CPU seconds; the machine's
1-minute load average before and after (the machine is shared: read figures with it).

``--heavy K`` adds K clients sending a SPARQL query that never finishes by itself (a triple
cartesian product): they must get 429 or 503 while the reads keep answering. ``--url`` aims at
a running server instead (the load and fault tests start theirs and read this JSON).
``--timeline`` adds the status codes per second. Clients are asyncio tasks on one httpx
connection pool each, so the generator itself stays light.

``--driver wrk`` drives the same six reads (in turn, not at random) with Debian's ``wrk`` (C,
one thread, N connections) instead: on a 2-core machine the httpx clients take a core the
server would otherwise have (a run measured 11–13 s of server CPU in 30 s), so their figure is
the client's limit; wrk's is the server's. It reports the reads together (wrk's Lua ``done``
sees all latencies at once), not per endpoint, and no generation check.

    python bench/load.py [--clients 50] [--seconds 30] [--workers 1] [--heavy 0] [--url URL] [--driver httpx|wrk]
                         [--scale N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
CASE = "https://w3id.org/iprg/id/case/vanillin"
READS = {
    "topics": "/api/v1/topics",
    "topic_rules": "/api/v1/topics/trade_secrets/rules",
    "measure_15": "/api/v1/measures/15",
    "search": "/api/v1/search?q=" + quote("商业秘密"),
    "cases": "/api/v1/cases?topic=trade_secrets&limit=20",
    "neighbourhood": "/api/v1/graph/neighbourhood?iri=" + quote(CASE, safe=""),
}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


class Tally:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.samples: dict[tuple[str, int], str] = {}
        self.generations: dict[str, set[str]] = defaultdict(set)   # /topics: generation → body hashes
        self.timeline: dict[int, Counter] = defaultdict(Counter)

    def add(self, name: str, status: int, ms: float, second: int, body: bytes, generation: str | None) -> None:
        self.ms[name].append(ms)
        self.status[name][status] += 1
        self.timeline[second][status] += 1
        if status != 200 and (name, status) not in self.samples:
            self.samples[(name, status)] = body[:300].decode("utf-8", errors="replace")
        if name == "topics" and status == 200 and generation:
            self.generations[generation].add(hashlib.sha256(body).hexdigest()[:16])


async def reader(client: httpx.AsyncClient, tally: Tally, stop: float, started: float, rng: random.Random) -> None:
    names = list(READS)
    while time.monotonic() < stop:
        name = rng.choice(names)
        t = time.monotonic()
        try:
            r = await client.get(READS[name])
            status, body, gen = r.status_code, r.content, r.headers.get("x-iprg-generation")
        except httpx.HTTPError as exc:
            status, body, gen = 599, type(exc).__name__.encode(), None   # no answer at all
        tally.add(name, status, (time.monotonic() - t) * 1000, int(t - started), body, gen)


async def heavy(client: httpx.AsyncClient, tally: Tally, stop: float, started: float) -> None:
    while time.monotonic() < stop:
        t = time.monotonic()
        try:
            r = await client.get("/sparql", params={"query": HEAVY}, timeout=max(1.0, stop - t))
            status, body = r.status_code, r.content
            wait = float(r.headers.get("retry-after", 0) or 0)
        except httpx.HTTPError as exc:
            status, body, wait = 598, type(exc).__name__.encode(), 0.0   # given up at the end of the run
        tally.add("heavy_sparql", status, (time.monotonic() - t) * 1000, int(t - started), body, None)
        await asyncio.sleep(min(wait, max(0.0, stop - time.monotonic())))


async def run_load(url: str, clients: int, seconds: float, heavy_clients: int, seed: int = 7) -> tuple[Tally, float]:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients + heavy_clients + 5)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.monotonic()
        stop = started + seconds
        tasks = [reader(client, tally, stop, started, random.Random(seed + i)) for i in range(clients)]
        tasks += [heavy(client, tally, stop, started) for _ in range(heavy_clients)]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
    return tally, elapsed


def report(tally: Tally, elapsed: float) -> dict:
    endpoints = {}
    for name in sorted(tally.ms):
        ms = tally.ms[name]
        endpoints[name] = {
            "requests": len(ms), "req_per_s": round(len(ms) / elapsed, 1),
            "p50_ms": percentile(ms, 0.50), "p95_ms": percentile(ms, 0.95), "p99_ms": percentile(ms, 0.99),
            "status": {str(k): v for k, v in sorted(tally.status[name].items())},
        }
    reads = [ms for name, values in tally.ms.items() if name in READS for ms in values]
    return {
        "seconds": round(elapsed, 1),
        "reads": {"requests": len(reads), "req_per_s": round(len(reads) / elapsed, 1),
                  "p50_ms": percentile(reads, 0.5), "p95_ms": percentile(reads, 0.95),
                  "p99_ms": percentile(reads, 0.99)},
        "endpoints": endpoints,
        "error_samples": {f"{n} {s}": body for (n, s), body in sorted(tally.samples.items())},
        "topics_generations": {g: sorted(h) for g, h in sorted(tally.generations.items())},
    }


def scaled_store(root: Path, scale: int) -> None:
    """The bundled corpus with every case copied ``scale`` times (bench/query.py's ``scaled``:
    copies keep their courts, topics, citations and measures), as the store ``kg serve`` finds."""
    import importlib.util

    from kg.explorer.derive import derive
    from kg.rebuild import run_ingest
    from kg.store import GraphStore

    spec = importlib.util.spec_from_file_location("bench_query", Path(__file__).with_name("query.py"))
    query = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(query)
    store = GraphStore(root)
    run_ingest(None, store)
    store.replace(query.scaled(store.to_graph(), scale), derive=derive)


@contextlib.contextmanager
def own_server(workers: int, backend: str, scale: int = 1):
    """A ``kg serve`` on a fresh graph (built from the bundled corpus, ``scale`` times the
    cases), no rate limit."""
    sys.path.insert(0, str(REPO))
    from kg.neo4j_server import free_port

    tmp = Path(tempfile.mkdtemp(prefix="iprg-bench-load-"))
    if scale > 1:
        scaled_store(tmp / "store", scale)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "IPRG_DATA_DIR": str(tmp), "IPRG_RATE_LIMIT": "off"}
    log = open(tmp / "server.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--workers", str(workers),
                             "--backend", backend], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {(tmp / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(url + "/api/v1/topics", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        wait_for_workers(url, workers, deadline)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def wait_for_workers(url: str, workers: int, deadline: float) -> None:
    """Until every worker process has answered (``/healthz`` names its pid), each on a new
    connection. Why: the first worker up answers the readiness check while the others still
    build their app; connections the kernel queued for them waited seconds (a run's p99 2.4 s
    with 2 workers at 100×). Measured here is the server serving, not its start."""
    pids: set[int] = set()
    while len(pids) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(pids)} of {workers} workers answered /healthz")
        with contextlib.suppress(httpx.HTTPError):
            pids.add(httpx.get(url + "/healthz", timeout=10).json()["pid"])
        time.sleep(0.2)


#: wrk's script: the reads in turn on every connection; ``done`` prints one JSON line.
_WRK_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('IPRG {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.1f, "p95_ms": %%.1f, "p99_ms": %%.1f, ' ..
    '"socket_errors": %%d, "non_2xx": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(url: str, clients: int, seconds: float) -> dict:
    """The reads through ``wrk -t1 -cN`` (see the module docstring); its figures as JSON."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("--driver wrk needs wrk on PATH (Debian: apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_LUA % ", ".join(json.dumps(path) for path in READS.values()))
    try:
        proc = subprocess.run([wrk, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "60s", "-s", script.name,
                               url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("IPRG "))
    got = json.loads(line[5:])
    got["req_per_s"] = round(got["requests"] / got["seconds"], 1)
    return got


def server_cpu_seconds(pid: int) -> float:
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = p.cpu_times()
            total += times.user + times.system
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--heavy", type=int, default=0, help="clients sending a never-ending SPARQL query")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (own server only)")
    ap.add_argument("--backend", choices=["sparql", "cypher"], default="sparql", help="own server only")
    ap.add_argument("--scale", type=int, default=1, help="own server only: the corpus with every case copied N times")
    ap.add_argument("--url", help="a running server instead of starting one")
    ap.add_argument("--timeline", action="store_true", help="status codes per second")
    ap.add_argument("--driver", choices=["httpx", "wrk"], default="httpx",
                    help="the load generator: httpx asyncio clients (per endpoint) or wrk (see above)")
    args = ap.parse_args()
    if args.driver == "wrk" and (args.heavy or args.timeline):
        ap.error("--heavy and --timeline need the httpx driver")

    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        pid = None
        if args.url:
            url = args.url.rstrip("/")
        else:
            url, proc = stack.enter_context(own_server(args.workers, args.backend, args.scale))
            pid = proc.pid
        cpu0 = server_cpu_seconds(pid) if pid else None
        if args.driver == "wrk":
            figures = {"reads": run_wrk(url, args.clients, args.seconds)}
        else:
            tally, elapsed = asyncio.run(run_load(url, args.clients, args.seconds, args.heavy))
            figures = {"heavy_clients": args.heavy, **report(tally, elapsed)}
            if args.timeline:
                figures["timeline"] = {str(s): {str(k): v for k, v in sorted(c.items())}
                                       for s, c in sorted(tally.timeline.items())}
        cpu1 = server_cpu_seconds(pid) if pid else None
    driver = "wrk -t1, the six reads in turn" if args.driver == "wrk" else "httpx asyncio"
    print(json.dumps({
        "benchmark": f"bench/load.py: read API under concurrent clients ({driver})",
        "url": "own server" if not args.url else url, "clients": args.clients,
        "scale": args.scale if not args.url else None,
        "server_workers": args.workers if not args.url else None,
        **figures,
        "server_cpu_s": None if cpu0 is None else round(cpu1 - cpu0, 1),
        "loadavg_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "cpus": os.cpu_count(),
    }, ensure_ascii=False, indent=2))

if __name__ == "__main__":
    main()
