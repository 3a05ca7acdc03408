"""Drive gunicorn with wrk, endpoint by endpoint, and report throughput, latency and queries.

For each endpoint: its requests are built from the samples; the first few go through Django's
test client in this process (their status is checked, the queries of one are counted); then wrk
warms up and measures against the real gunicorn for a fixed time and number of connections,
cycling through the requests (a new entry id on every progress post). Throughput is stated as a
ratio to the reference endpoint, measured first and last in the same run.
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

    @classmethod
    def from_env(cls) -> "LoadSettings":
        return cls(
            connections=int(os.environ.get("BENCH_CONNECTIONS", cls.connections)),
            seconds=int(os.environ.get("BENCH_SECONDS", cls.seconds)),
            warmup=int(os.environ.get("BENCH_WARMUP", cls.warmup)),
            workers=int(os.environ.get("BENCH_WORKERS", cls.workers)),
            threads=int(os.environ.get("BENCH_THREADS", cls.threads)),
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
    probe = endpoint.requests.__name__
    try:
        requests = endpoint.requests(samples)
    except Resolver404:
        requests = []
    if requests:
        try:
            resolve(requests[0].path.split("?")[0])
        except Resolver404:
            result.skipped = "not built yet (no such route)"
            return result
    if not requests:
        result.skipped = "no sample data for it"
        return result
    result.queries = check_in_process(endpoint, requests, samples)
    raw: dict = {}
    for phase, seconds in (("warmup", load.warmup), ("measure", load.seconds)):
        if seconds:  # a new script each time: new entry ids
            script = workdir / f"{probe}-{phase}.lua"
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
        for endpoint in ENDPOINTS:
            result = measure(endpoint, samples, server, load, Path(tmp))
            results.append(result)
            say(f"  {_line(result, None)}")
    phases = []
    for item in PHASES:
        seconds, summary = time_phase(item, samples)
        phases.append({"name": item.name, "seconds": round(seconds, 3), "summary": summary})
    return {"results": results, "phases": phases}


def reference_rate(results: list[Result]) -> float:
    rates = [r.requests_per_second for r in results if r.endpoint.reference and not r.skipped]
    return statistics.fmean(rates) if rates else 0.0


def _line(result: Result, reference: float | None) -> str:
    if result.skipped:
        return f"{result.endpoint.name}: skipped, {result.skipped}"
    ratio = f", ratio {result.requests_per_second / reference:.2f}" if reference else ""
    return (
        f"{result.endpoint.name}: {result.requests_per_second:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.queries} queries, {result.errors} errors{ratio}"
    )


def table(results: list[Result], phases: list[dict]) -> tuple[str, bool]:
    """The Markdown table of the run, and whether every target was met."""
    reference = reference_rate(results)
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
        ratio = r.requests_per_second / reference if reference else 0.0
        problems = []
        if r.endpoint.target is not None and ratio < r.endpoint.target:
            problems.append(f"ratio below {r.endpoint.target}")
        if r.tail > P99_OVER_P50_MAX:
            problems.append("p99 over 4x p50")
        if r.errors:
            problems.append("errors")
        all_met = all_met and not problems
        target = f"≥ {r.endpoint.target}" if r.endpoint.target is not None else ""
        lines.append(
            f"| {name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.tail:.1f} | "
            f"{r.queries} | {r.errors} | {ratio:.2f} | {target} | {'; '.join(problems) or 'yes'} |"
        )
    if phases:
        lines += ["", "| phase | seconds | what |", "|---|---:|---|"]
        lines += [f"| {p['name']} | {p['seconds']:.3f} | {p['summary']} |" for p in phases]
    return "\n".join(lines), all_met


def as_json(results: list[Result], phases: list[dict], **context) -> str:
    reference = reference_rate(results)
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
                    "ratio": round(r.requests_per_second / reference, 3) if reference and not r.skipped else None,
                    "target": r.endpoint.target,
                }
                for r in results
            ],
            "phases": phases,
        },
        indent=2,
    )
