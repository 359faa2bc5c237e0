"""The example of the security page, run."""

from __future__ import annotations

from boca.core.testing import TestClient

from .conftest import load_example


def test_security_example() -> None:
    client = TestClient(load_example("core/security.py").app, base_url="http://evil.example")
    response = client.post("/password-reset", json={"email": "ada@example.com"})
    assert response.json() == {
        "to": "ada@example.com",
        "link": "https://example.com/reset/t0k3n",
    }
    cookie = client.post("/login").headers["set-cookie"]
    assert cookie.startswith("session=opaque-id; expires=")
    assert cookie.endswith(" GMT; HttpOnly; Path=/; SameSite=Lax; Secure")
    assert client.post("/password-reset", content=b"x" * 70_000).status_code == 413
    assert client.get("/ticks").text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"
