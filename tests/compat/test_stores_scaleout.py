"""Two Uvicorn processes of one Starlette app, on two ports, sharing one real Redis:
sessions and rate limits hold across both, and a Redis outage gives clear errors, not hangs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from boca.channels.testing import RedisServer, RedisServerMissing

HERE = Path(__file__).resolve().parent
TIMEOUT = httpx.Timeout(10.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_server() -> RedisServer:
    try:
        return RedisServer(persistent=False)
    except RedisServerMissing as exc:
        pytest.fail(f"{exc}; `make test` installs it when missing", pytrace=False)


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def uvicorn(port: int, redis_url: str, **env: str) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "uvicorn", "_stores_app:app", "--app-dir", str(HERE),
        "--host", "127.0.0.1", "--port", str(port), "--lifespan", "on", "--log-level", "warning",
    ]  # fmt: skip
    environment = {**os.environ, "REDIS_URL": redis_url, **env}
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_until_serving(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            pass
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{output}")
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


@contextmanager
def servers(redis_url: str, count: int = 2, **env: str) -> Iterator[list[str]]:
    """`count` Uvicorn processes of the app; yields their base URLs."""
    ports = [free_port() for _ in range(count)]
    processes = [uvicorn(port, redis_url, **env) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_until_serving(process, port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            stop(process)


@pytest.fixture(scope="module")
def pair(redis: RedisServer) -> Iterator[list[str]]:
    with servers(redis.url, RATE_LIMIT="5/minute") as urls:
        yield urls


def test_a_session_written_on_one_is_read_then_revoked_on_the_other(pair: list[str]) -> None:
    first, second = pair
    with httpx.Client(timeout=TIMEOUT) as client:
        login = client.post(f"{first}/login", params={"user": "alice"})
        assert login.status_code == 200
        cookie = login.headers["set-cookie"].split(";", 1)[0]
        assert "alice" not in cookie
        headers = {"cookie": cookie}
        read = client.get(f"{second}/me", headers=headers)
        assert read.json() == {"user": "alice", "port": int(second.rsplit(":", 1)[1])}
        logout = client.post(f"{second}/logout", headers=headers)
        assert logout.status_code == 200
        assert logout.headers["set-cookie"].startswith("session=; path=/; Max-Age=0; ")
        # The old cookie (say, a stolen copy) is worth nothing on either process.
        for base in pair:
            replay = client.get(f"{base}/me", headers=headers)
            assert replay.status_code == 200
            assert replay.json()["user"] is None


def test_a_rate_limit_holds_across_both_processes(pair: list[str]) -> None:
    first, second = pair
    with httpx.Client(timeout=TIMEOUT) as client:
        statuses = [client.get(f"{pair[i % 2]}/limited").status_code for i in range(5)]
        assert statuses == [200] * 5
        for base in (first, second):
            refused = client.get(f"{base}/limited")
            assert refused.status_code == 429
            assert refused.json()["error"] == "429 Too Many Requests"
            assert refused.headers["ratelimit-policy"] == '"5/minute";q=5;w=60'
            assert 1 <= int(refused.headers["retry-after"]) <= 12


def test_an_unreachable_redis_stops_the_start_naming_it() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    process = uvicorn(free_port(), url)
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        stop(process)
    assert process.returncode == 3
    assert f"Redis at {url}: PING failed" in output
    assert "Start Redis there, or fix the URL given to RedisStore()." in output
    assert "Application startup failed. Exiting." in output


def test_redis_stopped_mid_run_gives_503s_not_hangs() -> None:
    with (
        redis_server() as own,
        servers(own.url, count=1) as (base,),
        httpx.Client(timeout=TIMEOUT) as client,
    ):
        login = client.post(f"{base}/login", params={"user": "bob"})
        headers = {"cookie": login.headers["set-cookie"].split(";", 1)[0]}
        own.stop()
        # A hang would raise httpx's ReadTimeout (10 s); the store gives up after 3 s.
        for path in ("/me", "/limited"):
            down = client.get(f"{base}{path}", headers=headers)
            assert down.status_code == 503
            assert down.json()["status"] == 503
            assert down.headers["content-type"] == "application/json"
        own.start()
        back = client.get(f"{base}/me", headers=headers)
        assert back.status_code == 200
        # That Redis kept nothing across its restart: a new, empty session.
        assert back.json()["user"] is None
