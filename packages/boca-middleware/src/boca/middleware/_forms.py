"""Find one field in a buffered form body, urlencoded or multipart, without parsing files."""

from __future__ import annotations

from urllib.parse import parse_qsl


def form_field(content_type: bytes, body: bytes, name: str) -> str | None:
    """The first value of field `name`, or None when the body has none."""
    kind, _, params = content_type.partition(b";")
    if kind.strip().lower() == b"application/x-www-form-urlencoded":
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if key == name:
                return value
        return None
    boundary = b""
    for param in params.split(b";"):
        pname, _, pvalue = param.strip().partition(b"=")
        if pname.lower() == b"boundary":
            boundary = pvalue.strip().strip(b'"')
    if not boundary:
        return None
    wanted = f'name="{name}"'.encode()
    for part in body.split(b"--" + boundary):
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-disposition:") and wanted in line:
                if b"filename=" in line:
                    break
                return content.removesuffix(b"\r\n").decode("utf-8", "replace")
    return None
