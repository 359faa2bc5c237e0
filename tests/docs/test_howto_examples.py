"""The how-to guides' examples, run."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from boca.core.testing import TestClient

from .conftest import EXAMPLES, load_example


def test_concurrency() -> None:
    client = TestClient(load_example("howto/concurrency.py").app)
    assert client.get("/dashboard").json() == {
        "user": {"name": "Ada"},
        "orders": [{"id": 1}],
        "checksum": sum(b"boca") % 256,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("server", ["uvicorn", "boca", "gunicorn", "granian"])
def test_deploy_commands_serve_the_app(server: str) -> None:
    """Each documented command, as written but on a free port, serves the example app."""
    words = shlex.split((EXAMPLES / "howto" / f"serve_{server}.sh").read_text())
    port = str(_free_port())
    words = [w.replace("8000", port) for w in words]
    executable = Path(sys.executable).with_name(words[0])
    process = subprocess.Popen(
        [str(executable), *words[1:]],
        cwd=EXAMPLES / "howto",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/health"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(url, headers={"x-forwarded-for": "203.0.113.9"})
                break
            except httpx.TransportError:
                assert process.poll() is None, f"{server} exited with {process.returncode}"
                assert time.monotonic() < deadline, f"{server} did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["ok"] is True
        if server in ("uvicorn", "gunicorn"):  # told to trust the proxy's X-Forwarded-For
            assert response.json()["client"] == "203.0.113.9"
        assert httpx.get(url, headers={"host": "evil.com"}).status_code == 400
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            # What is tested is that the command serves the app. A loaded machine can make a
            # two-worker server take longer than this to stop: never leave it behind.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def test_nginx_config_forwards_what_the_app_reads() -> None:
    config = (EXAMPLES / "howto" / "nginx.conf").read_text()
    assert config.count("{") == config.count("}")
    for line in (
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_buffering off;",
        "client_header_timeout 10s;",
    ):
        assert line in config


def test_testing_guide_suite_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "-o", "asyncio_mode=auto", "--rootdir", str(tmp_path),
            str(EXAMPLES / "howto" / "test_app.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_from_bocadillo() -> None:
    client = TestClient(load_example("howto/from_bocadillo.py").app)
    assert client.get("/greet/Ada").json() == {"message": "Hello, Ada!"}
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", headers={"x-token": "s3cret"}).text == "welcome"
    assert client.get("/hello").text == "hi"
