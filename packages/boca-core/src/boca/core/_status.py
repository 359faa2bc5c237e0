"""The reason phrases Boca writes, fixed here rather than taken from `http.HTTPStatus`.

Python 3.13 renamed several phrases to RFC 9110's (`413 Request Entity Too Large` became
`413 Content Too Large`), so a status line or an error title taken from `http.HTTPStatus`
would depend on the interpreter. This table is RFC 9110's phrases (section 15), and the IANA
registry's for the codes other RFCs define, on every Python version.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["PHRASES", "STATUS_LINES", "status_phrase"]

PHRASES: Mapping[int, str] = MappingProxyType(
    {
        100: "Continue",
        101: "Switching Protocols",
        102: "Processing",
        103: "Early Hints",
        200: "OK",
        201: "Created",
        202: "Accepted",
        203: "Non-Authoritative Information",
        204: "No Content",
        205: "Reset Content",
        206: "Partial Content",
        207: "Multi-Status",
        208: "Already Reported",
        226: "IM Used",
        300: "Multiple Choices",
        301: "Moved Permanently",
        302: "Found",
        303: "See Other",
        304: "Not Modified",
        305: "Use Proxy",
        307: "Temporary Redirect",
        308: "Permanent Redirect",
        400: "Bad Request",
        401: "Unauthorized",
        402: "Payment Required",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        406: "Not Acceptable",
        407: "Proxy Authentication Required",
        408: "Request Timeout",
        409: "Conflict",
        410: "Gone",
        411: "Length Required",
        412: "Precondition Failed",
        413: "Content Too Large",
        414: "URI Too Long",
        415: "Unsupported Media Type",
        416: "Range Not Satisfiable",
        417: "Expectation Failed",
        418: "I'm a Teapot",
        421: "Misdirected Request",
        422: "Unprocessable Content",
        423: "Locked",
        424: "Failed Dependency",
        425: "Too Early",
        426: "Upgrade Required",
        428: "Precondition Required",
        429: "Too Many Requests",
        431: "Request Header Fields Too Large",
        451: "Unavailable For Legal Reasons",
        500: "Internal Server Error",
        501: "Not Implemented",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
        505: "HTTP Version Not Supported",
        506: "Variant Also Negotiates",
        507: "Insufficient Storage",
        508: "Loop Detected",
        510: "Not Extended",
        511: "Network Authentication Required",
    }
)

#: `b"HTTP/1.1 413 Content Too Large\r\n"` for every code from 100 to 599, built once for the
#: server's hot path (a code without a phrase keeps the space RFC 9112's status line requires).
STATUS_LINES: Mapping[int, bytes] = MappingProxyType(
    {
        code: f"HTTP/1.1 {code} {PHRASES.get(code, '')}\r\n".encode("ascii")
        for code in range(100, 600)
    }
)


def status_phrase(status_code: int) -> str:
    """`"Content Too Large"` for 413; `""` for a code without a registered phrase."""
    return PHRASES.get(status_code, "")
