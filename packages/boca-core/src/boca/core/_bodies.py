"""Request bodies a view declares: a JSON model, embedded JSON fields, or form fields.

Each decoder is built once at declaration. A JSON body is decoded and validated in one pass
from its bytes by `msgspec.json.Decoder` (or by pydantic itself for pydantic models); only a
failure pays for a second look that lists every bad field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ._constraints import (
    ConstraintError,
    SourceError,
    _without_marker,
    base_type,
    is_pydantic_model,
    json_constraints,
    mentions_model,
    plain_type,
    translate,
    undecodable,
)
from ._params import strip_optional
from ._validation import RequestValidationError, collect_errors, detail, from_pydantic
from .introspection import BodyInfo, ParamInfo

if TYPE_CHECKING:
    from .params import Param
    from .requests import Request
    from .types import Message, Receive

__all__ = ["JSONBody", "read_body"]

_EMPTY = inspect.Parameter.empty
_JSON = ("application/json",)
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
Declared = list[tuple[inspect.Parameter, Any, "Param"]]


def _error(text: str) -> TypeError:
    return SourceError(text)


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "View"


def _optional_inner(tp: Any) -> Any:
    return base_type(strip_optional(base_type(tp)))


def _media_type(req: Request) -> str:
    value = req.headers.get("content-type", "")
    return value.partition(";")[0].strip().lower()


def _unsupported(req: Request, expected: tuple[str, ...]) -> RequestValidationError:
    got = _media_type(req)[:60]
    msg = f"Unsupported content type {got!r}: send {' or '.join(expected)}"
    return RequestValidationError(415, [detail(["body"], msg, "content_type")])


def _malformed(text: str) -> RequestValidationError:
    text = text.removeprefix("JSON is malformed: ")
    return RequestValidationError(400, [detail(["body"], f"Malformed JSON: {text}", "json")])


def _decoder(tp: Any, name: str) -> tuple[Any, msgspec.json.Decoder[Any], bool]:
    try:
        schema_type, converts = translate(tp)
        decoder = msgspec.json.Decoder(schema_type)
        unknown = undecodable(schema_type)
        if unknown:
            raise TypeError(
                f"{', '.join(getattr(c, '__qualname__', str(c)) for c in unknown)} is not a model"
            )
    except ConstraintError as exc:
        raise _error(f"parameter {name!r}: {exc}") from None
    except TypeError as exc:
        raise _error(
            f"parameter {name!r}: Boca cannot decode a JSON body into {tp!r} ({exc}): use a "
            "dataclass, TypedDict, msgspec.Struct, pydantic model, or builtin types"
        ) from None
    return schema_type, decoder, converts


class _Body:
    """A body a view reads: `read(req)` gives its keyword arguments; `info` describes it."""

    def __init__(self, info: BodyInfo, read: Callable[[Request], Any]) -> None:
        self.info = info
        self.read = read


class JSONBody(_Body):
    """A JSON body: the whole body as one model, or several embedded fields of an object."""

    @classmethod
    def declare(cls, bodies: Declared, view_name: str) -> JSONBody:
        embed = len(bodies) > 1 or any(
            getattr(m, "embed", False) or not mentions_model(a) for _, a, m in bodies
        )
        if len(bodies) > 1:
            models = [
                p.name for p, a, m in bodies if not getattr(m, "embed", False) and mentions_model(a)
            ]
            if models:
                raise _error(
                    f"parameters {', '.join(repr(p.name) for p, _, _ in bodies)} all read the "
                    f"JSON body: a view has one body, so mark each of them "
                    f"Annotated[..., Body(embed=True)] to read {{'{bodies[0][0].name}': ..., "
                    "...}}, or combine them in one model"
                )
        if not embed:
            param, annotation, marker = bodies[0]
            return cls._whole(param, _without_marker(annotation), marker, view_name)
        return cls._embedded(bodies, view_name)

    @classmethod
    def _whole(
        cls, param: inspect.Parameter, annotation: Any, marker: Param, view: str
    ) -> JSONBody:
        name = param.name
        required = param.default is _EMPTY
        default = param.default
        model = _optional_inner(annotation)
        if is_pydantic_model(model):
            validate = model.model_validate_json

            async def read_pydantic(req: Request) -> dict[str, Any]:
                body = await _body(req)
                if body is None:
                    return _empty(name, required, default)
                try:
                    return {name: validate(body)}
                except ValueError as exc:  # pydantic.ValidationError
                    raise _pydantic_failure(exc, ["body"]) from None

            info = BodyInfo(base_type(annotation), model, _JSON, required)
            return cls(info, read_pydantic)
        schema_type, decoder, converts = _decoder(annotation, name)
        decode = decoder.decode
        target = base_type(annotation)

        async def read(req: Request) -> dict[str, Any]:
            body = await _body(req)
            if body is None:
                return _empty(name, required, default)
            try:
                value = decode(body)
            except msgspec.ValidationError:
                raise _failure(body, schema_type) from None
            except msgspec.DecodeError as exc:
                raise _malformed(str(exc)) from None
            except RecursionError:
                raise _malformed("nested too deeply") from None
            if converts:
                value = msgspec.convert(value, target, from_attributes=True)
            return {name: value}

        return cls(BodyInfo(target, schema_type, _JSON, required), read)

    @classmethod
    def _embedded(cls, bodies: Declared, view: str) -> JSONBody:
        fields: list[tuple[str, Any, Any]] = []
        checks: list[tuple[Any, ...]] = []
        infos = []
        rename = {}
        for param, annotation, marker in bodies:
            annotation = _without_marker(annotation)
            alias = marker.alias or param.name
            if alias != param.name:
                rename[param.name] = alias
            model = _optional_inner(annotation)
            if is_pydantic_model(model):
                schema_type: Any = msgspec.Raw
                converts = False
                pydantic = model.model_validate_json
            else:
                schema_type, _, converts = _decoder(annotation, param.name)
                pydantic = None
            spec = (
                (param.name, schema_type)
                if param.default is _EMPTY
                else (
                    param.name,
                    schema_type,
                    param.default,
                )
            )
            fields.append(spec)  # type: ignore[arg-type]
            checks.append((param.name, alias, base_type(annotation), converts, pydantic))
            infos.append(
                ParamInfo(
                    name=param.name,
                    alias=alias,
                    source="body",
                    annotation=plain_type(annotation),
                    schema_type=model if pydantic is not None else schema_type,
                    required=param.default is _EMPTY,
                    default=param.default,
                    constraints=json_constraints(schema_type) if pydantic is None else {},
                    description=marker.description,
                    deprecated=marker.deprecated,
                )
            )
        struct = msgspec.defstruct(
            f"{_camel(view)}Body", fields, kw_only=True, rename=rename or None
        )
        try:
            decode = msgspec.json.Decoder(struct).decode
        except TypeError as exc:  # pragma: no cover - each field was checked above
            raise _error(f"the body of {view}: {exc}") from None
        required = any(len(spec) == 2 for spec in fields)

        async def read(req: Request) -> dict[str, Any]:
            body = await _body(req)
            if body is None:
                if required:
                    raise RequestValidationError(400, [detail(["body"], "Empty body", "missing")])
                return {p.name: p.default for p, _, _ in bodies}
            try:
                obj = decode(body)
            except msgspec.ValidationError:
                raise _failure(body, struct, checks) from None
            except msgspec.DecodeError as exc:
                raise _malformed(str(exc)) from None
            except RecursionError:
                raise _malformed("nested too deeply") from None
            kwargs: dict[str, Any] = {}
            errors: list[dict[str, Any]] = []
            for name, alias, target, converts, pydantic in checks:
                value = getattr(obj, name)
                if pydantic is not None and isinstance(value, msgspec.Raw):
                    try:
                        value = pydantic(bytes(value))
                    except ValueError as exc:
                        errors.extend(_pydantic_errors(exc, ["body", alias]))
                        continue
                elif converts:
                    value = msgspec.convert(value, target, from_attributes=True)
                kwargs[name] = value
            if errors:
                raise RequestValidationError(422, errors)
            return kwargs

        info = BodyInfo(struct, struct, _JSON, required, tuple(infos))
        return cls(info, read)


async def _body(req: Request) -> bytes | None:
    content_type = length = None
    for key, value in req.scope["headers"]:  # one pass over the raw headers, no Headers object
        if key == b"content-type":
            content_type = value
        elif key == b"content-length":
            length = value
    if content_type is not None:
        media = content_type.partition(b";")[0].strip().lower()
        if media != b"application/json" and not media.endswith(b"+json"):
            raise _unsupported(req, _JSON)
    body = await read_body(req, length)
    return body if body.strip() else None


async def read_body(req: Request, length: bytes | None) -> bytes:
    """`await req.body()`, without arming the body timer when the body already arrived.

    A small body usually comes in the message after the request head, already waiting:
    `receive()` then completes at once, and reading it costs less than arming and cancelling
    the body timeout. Anything else (a body still on its way, in several messages, larger than
    the limit, a disconnect) is left to `req.body()`, which sees the message read here first.
    `length` is the raw `Content-Length` header, if any.
    """
    cached: bytes | None = getattr(req, "_body", None)
    if cached is not None:
        return cached
    limit = req.max_body_size
    if (
        limit is not None
        and length is not None
        and not (length.isdigit() and len(length) <= 20 and int(length) <= limit)
    ):
        return await req.body()  # refused before reading (413, or 400 for a bad length)
    receive = req._receive
    step = receive().__await__()
    try:
        step.send(None)
    except StopIteration as done:
        message = done.value
    else:
        step.close()  # it would wait: wait the usual way, under the body timeout
        return await req.body()
    body = message.get("body", b"")
    if (
        message["type"] == "http.request"
        and not message.get("more_body", False)
        and (limit is None or len(body) <= limit)
        and (length is None or length == b"%d" % len(body))
    ):
        req._body = body
        return body  # type: ignore[no-any-return]
    req._receive = _replaying(message, receive)
    return await req.body()


def _replaying(message: Message, receive: Receive) -> Receive:
    """`receive`, giving `message` first."""
    pending = [message]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _empty(name: str, required: bool, default: Any) -> dict[str, Any]:
    if required:
        raise RequestValidationError(400, [detail(["body"], "Empty body", "missing")])
    return {name: default}


def _pydantic_errors(exc: Exception, loc: list[str | int]) -> list[dict[str, Any]]:
    errors = getattr(exc, "errors", None)
    if errors is None:  # pragma: no cover - a plain ValueError from a validator
        return [detail(loc, str(exc), "value")]
    return from_pydantic(errors(include_url=False, include_input=False, include_context=False), loc)


def _pydantic_failure(exc: Exception, loc: list[str | int]) -> RequestValidationError:
    errors = _pydantic_errors(exc, loc)
    if any(e["type"] == "json_invalid" for e in errors):
        return RequestValidationError(400, [{**e, "type": "json"} for e in errors])
    return RequestValidationError(422, errors)


def _failure(
    body: bytes, schema_type: Any, checks: list[tuple[Any, ...]] | None = None
) -> RequestValidationError:
    """Every failure in `body`: decoded untyped, then checked field by field."""
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        return _malformed(str(exc))
    except RecursionError:
        return _malformed("nested too deeply")
    errors: list[dict[str, Any]] = []
    if checks is None or not isinstance(value, dict):
        collect_errors(schema_type if checks is None else dict[str, Any], value, ["body"], errors)
    else:
        for field in msgspec.structs.fields(schema_type):
            _, alias, _, _, pydantic = next(c for c in checks if c[0] == field.name)
            if alias not in value:
                if field.required:
                    errors.append(detail(["body", alias], "Field required", "missing"))
                continue
            if pydantic is not None:
                try:
                    pydantic(msgspec.json.encode(value[alias]))
                except ValueError as exc:
                    errors.extend(_pydantic_errors(exc, ["body", alias]))
                continue
            collect_errors(field.type, value[alias], ["body", alias], errors)
    if not errors:  # pragma: no cover - the typed decoder and the walk disagree
        errors.append(detail(["body"], "Invalid body", "value"))
    return RequestValidationError(422, errors)
