"""A stricter `xmlattr` filter: attribute names from user data must not break the tag."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2 import pass_eval_context
from jinja2.filters import do_xmlattr
from jinja2.nodes import EvalContext
from markupsafe import Markup

# What the HTML spec forbids in attribute names (controls, space, quotes, '/', '=', '>',
# noncharacters) plus '<', which browsers accept but flag as a parse error.
_INVALID_NAME = re.compile("[\x00-\x20\x7f-\x9f\"'<>/=\ufdd0-\ufdef\ufffe\uffff]")


@pass_eval_context
def xmlattr(eval_ctx: EvalContext, d: Mapping[Any, Any], autospace: bool = True) -> str | Markup:
    """Jinja2's `xmlattr`, refusing every attribute name that is not a valid HTML name.

    Jinja2 >= 3.1.4 already refuses whitespace, '/', '>' and '='; this also refuses quotes,
    '<', control characters, empty and non-string names, with a message naming the key.
    """
    for key in d:
        if not isinstance(key, str) or not key or _INVALID_NAME.search(key):
            raise ValueError(
                f"Invalid HTML attribute name {key!r} passed to xmlattr: names must be non-empty"
                " strings without whitespace, control characters, quotes, '<', '>', '/' or '='"
            )
    return do_xmlattr(eval_ctx, d, autospace)
