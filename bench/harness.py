"""Drive gunicorn with wrk, endpoint by endpoint, and report throughput, latency and queries.

For each endpoint: its requests are built from the samples; the first few go through Django's
test client in this process (their status is checked, the queries of one are counted); then wrk
warms up and measures against the real gunicorn for a fixed time and number of connections,
cycling through the requests (a new entry id on every progress post). Throughput is stated as a
ratio to the reference endpoint, which is measured before the first endpoint and again after each
one: an endpoint is compared with the mean of the reference runs on either side of it, so a
change in the machine's load during the run (other processes) shifts both alike.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench.scenarios import ENDPOINTS, PHASES, Endpoint, Request, Samples, time_phase

LUA_TEMPLATE = Path(__file__).with_name("wrk.lua")
P99_OVER_P50_MAX = 4.0


@dataclass(frozen=True)
class LoadSettings:
    connections: int = 32
    seconds: int = 10
    warmup: int = 3
    workers: int = 3
    threads: int = 1
    only: tuple[str, ...] = ()  # names (or parts of names) of the endpoints to measure; none: all, and the phases

    def wanted(self, endpoint: Endpoint) -> bool:
        return endpoint.reference or not self.only or any(part in endpoint.name for part in self.only)

    @classmethod
    def from_env(cls) -> "LoadSettings":
        if int(os.environ.get("BENCH_SECONDS", cls.seconds)) < 1:
            raise ValueError("BENCH_SECONDS must be at least 1.")
        return cls(
            connections=int(os.environ.get("BENCH_CONNECTIONS", cls.connections)),
            seconds=int(os.environ.get("BENCH_SECONDS", cls.seconds)),
            warmup=int(os.environ.get("BENCH_WARMUP", cls.warmup)),
            workers=int(os.environ.get("BENCH_WORKERS", cls.workers)),
            threads=int(os.environ.get("BENCH_THREADS", cls.threads)),
            only=tuple(part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()),
        )


@dataclass
class Result:
    endpoint: Endpoint
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    queries: int | None = None
    errors: int = 0
    count: int = 0
    skipped: str = ""
    reference_rate: float = 0.0  # the reference's req/s around this endpoint (the mean of the runs either side)
    spread: tuple[float, float] | None = None  # the reference row: its slowest and fastest run, over the mean

    @property
    def tail(self) -> float:
        return self.p99_ms / self.p50_ms if self.p50_ms else 0.0


# The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving careerhub.wsgi with this process's environment (the bench settings)."""

    def __init__(self, load: LoadSettings, log: Path) -> None:
        self.port = free_port()
        self.log = log
        worker_class = ["--worker-class", "gthread", "--threads", str(load.threads)] if load.threads > 1 else []
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "careerhub.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(load.workers),
            *worker_class,
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            self.command, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, cwd=settings.BASE_DIR
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/live", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# Load -----------------------------------------------------------------------------------


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for these values


def lua_script(requests: list[Request], *, status: int) -> str:
    """The wrk script for these requests: cycled in order, each progress post with a new entry id."""
    rows = []
    for request in requests:
        headers = {"Authorization": f"Bearer {request.token}", **request.headers}
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        header_table = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        body = "nil" if request.body is None else _lua_string(request.body)
        rows.append(
            f"{{method = {_lua_string(request.method)}, path = {_lua_string(request.path)}, "
            f"headers = {{{header_table}}}, body = {body}, fresh = {str(request.fresh_id).lower()}}}"
        )
    # Entry ids: a random prefix for this run of wrk, then a counter, so none is ever sent twice.
    prefix = secrets.token_hex(10)
    prefix = f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-8{prefix[15:18]}-"
    return (
        LUA_TEMPLATE.read_text()
        .replace("--[[REQUESTS]]", ",\n".join(rows))
        .replace("--[[STATUS]]", str(status))
        .replace("--[[PREFIX]]", _lua_string(prefix))
    )


def wrk(url: str, script: Path, *, seconds: int, connections: int) -> dict:
    completed = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "--script",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"^BENCH_RESULT (\{.*\})$", completed.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(match.group(1))


# One endpoint ---------------------------------------------------------------------------


def check_in_process(endpoint: Endpoint, requests: list[Request], samples: Samples) -> int:
    """Send a few of the requests through the test client: each must answer the expected status;
    answers the number of queries the first one made."""
    counted = None
    for request in requests[:3]:
        call = getattr(samples.client, request.method.lower())
        extra = {}
        if request.body is not None:
            extra = {"data": request.body.replace("{{id}}", str(uuid.uuid4())), "content_type": "application/json"}
        with CaptureQueriesContext(connection) as queries:
            answer = call(request.path, **extra, **samples.client_headers(request))
        if answer.status_code != endpoint.status:
            raise RuntimeError(
                f"{endpoint.name}: {request.method} {request.path} answered {answer.status_code}, "
                f"not {endpoint.status}: {answer.content[:500]!r}"
            )
        if counted is None:
            counted = len(queries)
    return counted or 0


def measure(endpoint: Endpoint, samples: Samples, server: Server, load: LoadSettings, workdir: Path) -> Result:
    result = Result(endpoint)
    requests = endpoint.requests(samples)
    if not requests:
        result.skipped = "no sample data for it"
        return result
    try:
        resolve(requests[0].path.split("?")[0])
    except Resolver404:  # an endpoint in the table before its issue is merged
        result.skipped = "not built yet (no such route)"
        return result
    result.queries = check_in_process(endpoint, requests, samples)
    raw: dict = {}
    for phase, seconds in (("warmup", load.warmup), ("measure", load.seconds)):
        if seconds:  # a new script each time: new entry ids
            script = workdir / f"{endpoint.requests.__name__}-{phase}.lua"
            script.write_text(lua_script(requests, status=endpoint.status))
            raw = wrk(server.url, script, seconds=seconds, connections=load.connections)
    result.count = raw["requests"]
    result.requests_per_second = raw["requests"] / (raw["duration_us"] / 1e6)
    result.p50_ms = raw["p50_us"] / 1000
    result.p99_ms = raw["p99_us"] / 1000
    result.errors = raw["unexpected"] + sum(raw["errors"].values())
    return result


# The run --------------------------------------------------------------------------------


def run(samples: Samples, load: LoadSettings, *, log: Path, say=print) -> dict:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="careerhub-bench-") as tmp, Server(load, log) as server:
        say(
            f"gunicorn: {load.workers} workers x {load.threads} threads on {server.url}; wrk: 1 thread, "
            f"{load.connections} connections, {load.warmup} s warm-up + {load.seconds} s per endpoint"
        )
        reference = next(endpoint for endpoint in ENDPOINTS if endpoint.reference)
        references = [measure(reference, samples, server, load, Path(tmp))]
        say(f"  {_line(references[-1])}")
        for endpoint in ENDPOINTS:
            if endpoint.reference or not load.wanted(endpoint):
                continue
            result = measure(endpoint, samples, server, load, Path(tmp))
            if result.skipped:
                results.append(result)
                say(f"  {_line(result)}")
                continue
            references.append(measure(reference, samples, server, load, Path(tmp)))
            result.reference_rate = statistics.fmean(r.requests_per_second for r in references[-2:])
            results.append(result)
            say(f"  {_line(result)}")
            say(f"  {_line(references[-1])}")
        results.insert(0, summarize_reference(references))
    phases = []
    for item in [] if load.only else PHASES:
        seconds, summary = time_phase(item, samples)
        phases.append({"name": item.name, "seconds": round(seconds, 3), "summary": summary})
    return {"results": results, "phases": phases}


def summarize_reference(runs: list[Result]) -> Result:
    """The reference's row: means over its runs; its ratio column shows how far the runs spread."""
    rates = [r.requests_per_second for r in runs]
    mean = statistics.fmean(rates)
    return Result(
        runs[0].endpoint,
        requests_per_second=mean,
        p50_ms=statistics.fmean(r.p50_ms for r in runs),
        p99_ms=statistics.fmean(r.p99_ms for r in runs),
        queries=runs[0].queries,
        errors=sum(r.errors for r in runs),
        count=sum(r.count for r in runs),
        reference_rate=mean,
        spread=(min(rates) / mean, max(rates) / mean),
    )


def _ratio(result: Result) -> float:
    return result.requests_per_second / result.reference_rate if result.reference_rate else 0.0


def _line(result: Result) -> str:
    if result.skipped:
        return f"{result.endpoint.name}: skipped, {result.skipped}"
    ratio = f", ratio {_ratio(result):.2f}" if result.reference_rate and not result.endpoint.reference else ""
    return (
        f"{result.endpoint.name}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.queries} queries, {result.errors} errors{ratio}"
    )


def table(results: list[Result], phases: list[dict]) -> tuple[str, bool]:
    """The Markdown table of the run, and whether every target was met."""
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | p99/p50 | queries | errors | ratio | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    all_met = True
    for r in results:
        name = f"{r.endpoint.name} ({r.endpoint.note})" if r.endpoint.note else r.endpoint.name
        if r.skipped:
            lines.append(f"| {name} | - | - | - | - | - | - | - | - | skipped: {r.skipped} |")
            continue
        ratio = _ratio(r)
        problems = []
        if r.endpoint.target is not None and ratio < r.endpoint.target:
            problems.append(f"ratio below {r.endpoint.target}")
        if r.tail > P99_OVER_P50_MAX:
            problems.append("p99 over 4x p50")
        if r.errors:
            problems.append("errors")
        all_met = all_met and not problems
        target = f"≥ {r.endpoint.target}" if r.endpoint.target is not None else ""
        shown = f"1 ({r.spread[0]:.2f}-{r.spread[1]:.2f})" if r.spread else f"{ratio:.2f}"
        lines.append(
            f"| {name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.tail:.1f} | "
            f"{r.queries} | {r.errors} | {shown} | {target} | {'; '.join(problems) or 'yes'} |"
        )
    if phases:
        lines += ["", "| phase | seconds | what |", "|---|---:|---|"]
        lines += [f"| {p['name']} | {p['seconds']:.3f} | {p['summary']} |" for p in phases]
    return "\n".join(lines), all_met


def as_json(results: list[Result], phases: list[dict], **context) -> str:
    return json.dumps(
        {
            **context,
            "endpoints": [
                {
                    "name": r.endpoint.name,
                    "skipped": r.skipped or None,
                    "requests_per_second": round(r.requests_per_second, 1),
                    "p50_ms": round(r.p50_ms, 2),
                    "p99_ms": round(r.p99_ms, 2),
                    "queries": r.queries,
                    "errors": r.errors,
                    "requests": r.count,
                    "reference_requests_per_second": round(r.reference_rate, 1),
                    "ratio": round(_ratio(r), 3) if r.reference_rate and not r.skipped else None,
                    "target": r.endpoint.target,
                }
                for r in results
            ],
            "phases": phases,
        },
        indent=2,
    )
