"""Shared fixtures: a raw-socket client for bytes httpx refuses to send."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest


def _raw(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send `data` to 127.0.0.1:`port` and read until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        out = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return out


@pytest.fixture
def raw() -> Callable[..., bytes]:
    return _raw
