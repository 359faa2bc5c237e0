import os

from boca.middleware import MemoryStore, RedisStore, Store

redis_url = os.environ.get("REDIS_URL")
store: Store = RedisStore(redis_url, prefix="myapp:") if redis_url else MemoryStore()


async def count_visit(page: str) -> int:
    """Visits of `page` in the current hour, shared by every worker."""
    return await store.incr(f"visits:{page}", ttl=3600)


async def remember(token: str, user: str) -> None:
    await store.set(f"reset:{token}", user.encode(), ttl=15 * 60)


async def redeem(token: str) -> str | None:
    user = await store.get(f"reset:{token}")
    await store.delete(f"reset:{token}")
    return user.decode() if user is not None else None
