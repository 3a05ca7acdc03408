"""Real processes for integration tests (Celery, the web server, a Redis of their own), stopped
however the test ends."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "careerhub", *args]


@contextmanager
def running(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def wait_for_text(log: Path, text: str, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


def wait_until(check: Callable[[], Any], *, timeout: float, interval: float = 0.2) -> Any:
    """Poll ``check`` until it answers something truthy (answered), or ``timeout`` seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process started by ``running`` and everything it forked: no cleanup runs."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def logs_of(*logs: Path) -> str:
    """The logs, each under its name, for an assertion message."""
    return "\n".join(f"----- {log.name}\n{log.read_text(errors='replace')}" for log in logs if log.exists())


class RedisServer:
    """A Redis of the test's own on a free port, to stop and start at will: the shared Redis on
    6379 serves other runs and is never stopped. Nothing is persisted."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 10) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--dir", str(self.directory)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(lambda: answers(self.port), timeout=timeout, interval=0.05):
            raise RuntimeError(f"redis-server did not start on {self.port}:\n{self.log.read_text()}")

    def stop(self) -> None:
        """Shut down as an operator would (``redis-cli shutdown nosave``)."""
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextmanager
def private_redis(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def web_command(port: int) -> list[str]:
    """The API served by gunicorn, as in production (one worker: requests are answered in turn)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "careerhub.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "30",
        "--access-logfile",
        "-",
        # Not the one control socket in the home directory that every gunicorn on the machine shares.
        "--no-control-socket",
    ]
