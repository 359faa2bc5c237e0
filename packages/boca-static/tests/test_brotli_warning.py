"""`build()` without brotli installed says once that it wrote no `.br` files."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from boca.static import BrotliMissingWarning, build
from boca.static import manifest as manifest_module
from boca.static.__main__ import main

CSS = b"body { color: red; }\n" * 40


@pytest.fixture
def no_brotli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(sys.modules, "brotli", None)
    monkeypatch.setattr(manifest_module, "_warned_brotli", False)
    (tmp_path / "app.css").write_bytes(CSS)
    return tmp_path


def test_warns_once_without_brotli(no_brotli: Path) -> None:
    with pytest.warns(BrotliMissingWarning) as caught:
        result = build(no_brotli)
    assert (result.gzipped, result.brotlied) == (2, 0)  # app.css and its hashed copy
    assert [str(w.message) for w in caught] == [
        "boca.static build: no .br files written, the brotli package is not installed: "
        "pip install 'boca-static[brotli]' to write them, or pass brotli=False (--no-brotli) "
        "to build without them quietly."
    ]
    assert caught[0].filename == __file__  # points at the caller's build() line
    assert not (no_brotli / "app.css.br").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build(no_brotli).brotlied == 0  # once per process


def test_no_warning_when_brotli_is_declined(no_brotli: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build(no_brotli, brotli=False).brotlied == 0
        assert main(["build", str(no_brotli), "--no-brotli"]) == 0


def test_cli_warns_too(no_brotli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(BrotliMissingWarning, match="no .br files written"):
        assert main(["build", str(no_brotli)]) == 0
    assert "2 .gz and 0 .br written" in capsys.readouterr().out
