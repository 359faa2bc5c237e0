"""Write the OpenAPI document to a file (for a client generator or a review), with no server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from boca.openapi import OpenAPI


def export(module_app: str, target: Path) -> None:
    """`export("notes:app", Path("openapi.json"))`: the document of the app at `module:attr`."""
    module, _, attr = module_app.partition(":")
    app = getattr(__import__(module), attr)
    battery = app.extensions["openapi"]  # the installed battery, with its options
    assert isinstance(battery, OpenAPI)
    document = battery.document(app)
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    export(sys.argv[1], Path(sys.argv[2]))
