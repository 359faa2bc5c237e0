"""The how-to guides' examples, run."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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


def test_deploy_command_trusts_the_proxy_only() -> None:
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "deploy_app:app", "--host", "127.0.0.1",
        "--port", str(port), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
        "--timeout-graceful-shutdown", "30", "--no-server-header",
        "--app-dir", str(EXAMPLES / "howto"),
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/health"
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(url, headers={"x-forwarded-for": "203.0.113.9"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        assert response.json() == {"ok": True, "client": "203.0.113.9"}
        assert "server" not in response.headers
        forged = httpx.get(url, headers={"host": "evil.com"})
        assert forged.status_code == 400
    finally:
        server.terminate()
        server.wait(10)


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
