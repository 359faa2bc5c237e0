"""`check_api(app)`: schemathesis against an app's own OpenAPI document, in-process.

Needs `schemathesis` (a test dependency, never a runtime one). For every operation it
generates valid requests (a bounded, repeatable number) and checks that the app answers
each with a documented status, content type and body schema and never with a 5xx; then it
sends invalid requests and checks that none gets a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["check_api"]


def check_api(
    app: Any,
    *,
    openapi_path: str = "/openapi.json",
    max_examples: int = 20,
    negative: bool = True,
    headers: dict[str, str] | None = None,
    exclude: Callable[[str, str], bool] | None = None,
) -> int:
    """Run schemathesis on every operation of `app`; raise `AssertionError` listing failures.

    Args:
        app: An ASGI app serving its document at `openapi_path` (a Boca app with `OpenAPI`).
        max_examples: Generated requests per operation and mode (valid, then invalid).
        negative: Also send requests that break the schema (only "no 5xx" is checked).
        headers: Sent with every request (credentials, say).
        exclude: `exclude(method, path)` true for an operation to leave out.

    Returns:
        The number of requests sent.
    """
    import schemathesis
    from schemathesis import checks
    from schemathesis.core.result import Err

    schema = schemathesis.openapi.from_asgi(openapi_path, app)
    modes: list[Any] = [schemathesis.GenerationMode.POSITIVE]
    if negative:
        modes.append(schemathesis.GenerationMode.NEGATIVE)
    conformance = [
        checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ]
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the document has an invalid operation: {result.err()}")
            continue
        operation = result.ok()
        if exclude is not None and exclude(operation.method.upper(), operation.path):
            continue
        for mode in modes:
            wanted = (
                conformance if mode is schemathesis.GenerationMode.POSITIVE else conformance[:1]
            )
            try:
                sent += _run(operation.as_strategy(mode), wanted, max_examples, headers)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # one entry per failing operation, all of them at once
                where = f"{operation.method.upper()} {operation.path} ({mode.value})"
                failures.append(f"{where}: {_describe(exc)}")
    if failures:
        raise AssertionError("schemathesis found problems:\n" + "\n\n".join(failures))
    return sent


def _run(strategy: Any, checks: list[Any], max_examples: int, headers: Any) -> int:
    """Send up to `max_examples` cases drawn from `strategy`, validating each answer."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable

    sent = 0

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except Unsatisfiable:  # nothing to generate: no invalid request exists for the operation
        pass
    return sent


def _describe(exc: BaseException) -> str:
    """The failure as text; every member of an exception group (schemathesis's several checks)."""
    members = getattr(exc, "exceptions", None)
    if members:
        return "; ".join(_describe(member) for member in members)
    return str(exc).strip() or type(exc).__name__
