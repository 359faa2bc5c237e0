"""Providers of a module listed in PROVIDER_MODULES (`myapp.providers`)."""

from boca.core import provider

AUDIT: list[str] = []


@provider(scope="app")
async def db():
    return {"users": ["ada"]}


@provider
async def audit():
    AUDIT.append("opened")
    try:
        yield
    finally:
        AUDIT.append("closed")
