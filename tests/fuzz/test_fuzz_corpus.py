"""Every input under tests/fuzz/corpus/ replayed through its harness: seeds, and each crash
`make fuzz` found, kept as a regression input once fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._harnesses import HARNESSES

CORPUS = Path(__file__).parent / "corpus"
INPUTS = sorted(
    (harness.name, path) for harness in CORPUS.iterdir() for path in sorted(harness.iterdir())
)


def test_every_harness_has_inputs_and_every_input_a_harness() -> None:
    assert {name for name, _ in INPUTS} == set(HARNESSES)


@pytest.mark.parametrize(("harness", "path"), INPUTS, ids=[f"{h}/{p.name}" for h, p in INPUTS])
def test_fuzz_input_keeps_its_invariants(harness: str, path: Path) -> None:
    HARNESSES[harness](path.read_bytes())
