"""The README's quick start works when pasted."""

from __future__ import annotations

import re
from pathlib import Path

from boca.core.testing import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"


def test_quick_start_runs_as_written() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert blocks, "the README has a Python quick start"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    client = TestClient(namespace["app"])  # type: ignore[arg-type]
    assert client.get("/").json() == {"hello": "world"}
    assert client.get("/users/42").json() == {"id": 42}
    bad = client.get("/users/abc")
    assert bad.status_code == 400
    assert bad.json()["detail"] == [
        {"loc": ["path", "user_id"], "msg": "expected an integer", "type": "type"}
    ]
