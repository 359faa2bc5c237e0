"""The testing page's examples: websockets and event streams tested in-process."""

from __future__ import annotations

from .conftest import load_example


def test_websockets_and_event_streams_in_process() -> None:
    example = load_example("core/testing_realtime.py")
    example.test_websocket()
    example.test_event_stream()
