from __future__ import annotations

from typing import Any

import pytest

from boca.middleware import (
    CORSMiddleware,
    GZipMiddleware,
    HSTSMiddleware,
    HTTPSRedirectMiddleware,
    MiddlewareBattery,
    SecurityHeadersMiddleware,
    SessionMiddleware,
    TrustedHostMiddleware,
    from_settings,
)

pytestmark = pytest.mark.anyio


class FakeApp:
    """The slice of boca-core's App surface that install() may use."""

    def __init__(self) -> None:
        self.extensions: dict[str, Any] = {}
        self.middleware: list[tuple[Any, dict[str, Any]]] = []

    def add_middleware(self, cls: Any, **options: Any) -> None:
        self.middleware.append((cls, options))

    def use(self, battery: Any) -> None:
        battery.install(self)


def test_install_adds_the_middleware_and_records_it() -> None:
    app = FakeApp()
    battery = MiddlewareBattery(CORSMiddleware, allow_origins=["https://a.test"])
    app.use(battery)
    assert app.middleware == [(CORSMiddleware, {"allow_origins": ["https://a.test"]})]
    assert app.extensions["middleware"] == [battery]
    app.use(MiddlewareBattery(GZipMiddleware))
    assert [cls for cls, _ in app.middleware] == [CORSMiddleware, GZipMiddleware]
    assert len(app.extensions["middleware"]) == 2


def test_repr_hides_the_secret() -> None:
    battery = MiddlewareBattery(SessionMiddleware, secret_key="hunter2", max_age=10)
    assert repr(battery) == "MiddlewareBattery(SessionMiddleware, max_age=10)"
    assert repr(MiddlewareBattery(GZipMiddleware)) == "MiddlewareBattery(GZipMiddleware)"


def test_from_settings_all() -> None:
    batteries = from_settings(
        {
            "ALLOWED_HOSTS": ("example.com",),
            "HSTS": {"include_subdomains": True},
            "SECURITY_HEADERS": {"referrer_policy": "no-referrer"},
            "CORS": True,
            "SESSIONS": True,
            "SECRET_KEY": "k",
            "GZIP": True,
            "GZIP_MIN_SIZE": 1024,
        }
    )
    assert [(b.middleware_class, b.options) for b in batteries] == [
        (TrustedHostMiddleware, {"allowed_hosts": ["example.com"]}),
        (HTTPSRedirectMiddleware, {}),
        (HSTSMiddleware, {"include_subdomains": True}),
        (SecurityHeadersMiddleware, {"referrer_policy": "no-referrer"}),
        (CORSMiddleware, {}),
        (SessionMiddleware, {"secret_key": "k"}),
        (GZipMiddleware, {"minimum_size": 1024}),
    ]


def test_from_settings_options_and_nothing() -> None:
    assert from_settings({}) == []
    assert from_settings({"CORS": False, "GZIP": None, "ALLOWED_HOSTS": []}) == []
    (cors,) = from_settings({"CORS": {"allow_origins": ["https://a.test"]}})
    assert cors.options == {"allow_origins": ["https://a.test"]}
    (gzip,) = from_settings({"GZIP": {"compresslevel": 9}})
    assert gzip.options == {"compresslevel": 9}


def test_from_settings_security_headers() -> None:
    (battery,) = from_settings({"SECURITY_HEADERS": True})
    assert (battery.middleware_class, battery.options) == (SecurityHeadersMiddleware, {})
    with pytest.raises(TypeError, match="x_frame"):
        from_settings({"SECURITY_HEADERS": {"x_frame": "DENY"}})


def test_from_settings_errors() -> None:
    with pytest.raises(ValueError, match="SessionMiddleware needs a secret_key"):
        from_settings({"SESSIONS": True})
    with pytest.raises(TypeError, match="The CORS setting must be True or a dict"):
        from_settings({"CORS": "yes"})
