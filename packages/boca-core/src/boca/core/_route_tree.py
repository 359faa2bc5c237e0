"""The routing table's lookup structures: compiled route patterns and the segment tree.

Static patterns are found with one dict lookup. Dynamic patterns live in a tree keyed by path
segment: a lookup walks one node per segment, trying the literal child first, then the
parameter children in declaration order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .converters import Converter, get_converters
from .errors import RouteDeclarationError

if TYPE_CHECKING:
    from ._routes import Route

__all__ = ["Compiled", "Node", "compile_pattern", "insert", "merge_literals"]

_PARAM = re.compile(r"{([^{}]*)}")


@dataclass(eq=False)
class _Segment:
    regex: re.Pattern[str]
    params: list[tuple[str, Converter[Any]]]
    key: str
    #: Some converter of the segment (named or anonymous) matches slashes: a tail segment.
    slashes: bool = False

    def match(self, text: str) -> list[tuple[str, Any]] | None:
        found = self.regex.fullmatch(text)
        if found is None:
            return None
        values = []
        for name, converter in self.params:
            try:
                values.append((name, converter.convert(found.group(name))))
            except (ValueError, ArithmeticError):
                return None
        return values


@dataclass(eq=False)
class Node:
    static: dict[str, Node] = field(default_factory=dict)
    dynamic: list[tuple[_Segment, Node]] = field(default_factory=list)
    tails: list[tuple[_Segment, Route]] = field(default_factory=list)
    route: Route | None = None

    def match(self, segments: list[str], index: int) -> tuple[Route, list[tuple[str, Any]]] | None:
        if index == len(segments):
            return (self.route, []) if self.route is not None else None
        segment = segments[index]
        child = self.static.get(segment)
        if child is not None:
            found = child.match(segments, index + 1)
            if found is not None:
                return found
        for template, node in self.dynamic:
            values = template.match(segment)
            if values is not None:
                found = node.match(segments, index + 1)
                if found is not None:
                    route, rest = found
                    return route, values + rest
        if self.tails:
            remainder = "/".join(segments[index:])
            for template, route in self.tails:
                values = template.match(remainder)
                if values is not None:
                    return route, values
        return None


def _compile_segment(
    pattern: str, text: str, converters: dict[str, Converter[Any]], names: set[str]
) -> tuple[_Segment | None, list[str | tuple[str, Converter[Any]]]]:
    """Compile one `/`-separated piece of a pattern; None when it is a plain literal."""
    if "{" not in text and "}" not in text:
        return None, [text]
    regex = []
    params: list[tuple[str, Converter[Any]]] = []
    parts: list[str | tuple[str, Converter[Any]]] = []
    key = []
    position = 0
    slashes = False
    for found in _PARAM.finditer(text):
        literal = text[position : found.start()]
        if "{" in literal or "}" in literal:
            break
        regex.append(re.escape(literal))
        key.append(literal)
        parts.append(literal)
        name, _, conv_name = found.group(1).partition(":")
        name, conv_name = name.strip(), conv_name.strip() or "str"
        if not name:  # `{}` or `{:path}`: matched, but not passed to the view
            anonymous = _anonymous(pattern, conv_name, converters)
            regex.append(f"(?:{anonymous.regex})")
            key.append("{" + conv_name + "}")
            parts.append(("", anonymous))
            slashes = slashes or anonymous.matches_slashes
            position = found.end()
            continue
        if not name.isidentifier():
            raise RouteDeclarationError(
                f"route {pattern!r}: parameter name {name!r} must be a Python identifier, as in "
                "'{user_id}'"
            )
        if name in names:
            raise RouteDeclarationError(f"route {pattern!r}: parameter {name!r} appears twice")
        names.add(name)
        if conv_name not in converters:
            raise RouteDeclarationError(
                f"route {pattern!r}: unknown converter {conv_name!r} in "
                f"'{{{found.group(1)}}}': use "
                f"one of {', '.join(sorted(converters))}, or register it with "
                "boca.core.register_converter()"
            )
        converter = converters[conv_name]
        regex.append(f"(?P<{name}>{converter.regex})")
        key.append("{" + conv_name + "}")
        params.append((name, converter))
        parts.append((name, converter))
        position = found.end()
    literal = text[position:]
    if "{" in literal or "}" in literal:
        raise RouteDeclarationError(
            f"route {pattern!r}: unbalanced braces in {text!r}: write parameters as '{{name}}' or "
            "'{name:converter}'"
        )
    regex.append(re.escape(literal))
    key.append(literal)
    parts.append(literal)
    slashes = slashes or any(c.matches_slashes for _, c in params)
    compiled = re.compile("".join(regex), re.ASCII | re.DOTALL)
    return _Segment(compiled, params, "".join(key), slashes), parts


Compiled = tuple[
    list[tuple[str, _Segment | None]],
    list[str | tuple[str, Converter[Any]]],
    dict[str, Converter[Any]],
    dict[str, str],
    str,
]


def compile_pattern(pattern: str) -> Compiled:
    """Compile a route pattern: its segments, its parts for `url_for`, its converters (and
    their names) and its shape (the pattern with parameter names left out)."""
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        raise RouteDeclarationError(f"route {pattern!r}: a pattern must start with '/'")
    converters = get_converters()
    names: set[str] = set()
    pieces = pattern[1:].split("/")
    compiled: list[tuple[str, _Segment | None]] = []
    parts: list[str | tuple[str, Converter[Any]]] = ["/"]
    for index, piece in enumerate(pieces):
        segment, seg_parts = _compile_segment(pattern, piece, converters, names)
        if segment is not None and segment.slashes and index != len(pieces) - 1:
            raise RouteDeclarationError(
                f"route {pattern!r}: a 'path' parameter matches slashes, so it must be in "
                "the last segment of the pattern"
            )
        compiled.append((piece, segment))
        if index:
            parts.append("/")
        parts.extend(seg_parts)
    param_converters = {n: c for _, s in compiled if s for n, c in s.params}
    conv_names = {n: _converter_name(c, converters) for n, c in param_converters.items()}
    shape = "/" + "/".join(s.key if s else p for p, s in compiled)
    return compiled, parts, param_converters, conv_names, shape


def insert(
    route: Route,
    compiled: list[tuple[str, _Segment | None]],
    static: dict[str, Route],
    root: Node,
) -> None:
    """Add `route` to a static table (no parameters) or to the tree of dynamic routes."""
    if all(segment is None for _, segment in compiled):
        static[route.pattern] = route
        return
    node = root
    for index, (piece, segment) in enumerate(compiled):
        if segment is None:
            node = node.static.setdefault(piece, Node())
        elif segment.slashes:
            assert index == len(compiled) - 1
            node.tails.append((segment, route))
            return
        else:
            for existing, child in node.dynamic:
                if existing.key == segment.key:
                    node = child
                    break
            else:
                child = Node()
                node.dynamic.append((segment, child))
                node = child
    node.route = route


def _anonymous(pattern: str, name: str, converters: dict[str, Converter[Any]]) -> Converter[Any]:
    if name not in converters:
        raise RouteDeclarationError(
            f"route {pattern!r}: unknown converter {name!r} in '{{:{name}}}': use one of "
            f"{', '.join(sorted(converters))}"
        )
    return converters[name]


def _converter_name(converter: Converter[Any], converters: dict[str, Converter[Any]]) -> str:
    for name, candidate in converters.items():
        if candidate is converter:
            return name
    return type(converter).__name__  # pragma: no cover - every converter comes from the registry


def merge_literals(
    parts: list[str | tuple[str, Converter[Any]]],
) -> list[str | tuple[str, Converter[Any]]]:
    merged: list[str | tuple[str, Converter[Any]]] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged
