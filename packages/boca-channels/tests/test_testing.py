"""boca.channels.testing.RedisServer: what it runs, and how it fails."""

from __future__ import annotations

import pytest

from boca.channels.testing import RedisServer, RedisServerMissing


def test_a_missing_program_names_the_package_to_install() -> None:
    with pytest.raises(RedisServerMissing, match="apt-get install redis-server"):
        RedisServer(executable="/nonexistent/redis-server")


def test_a_program_that_exits_at_once_is_reported() -> None:
    server = RedisServer(executable="/bin/false")
    with pytest.raises(RuntimeError, match="redis-server exited at start-up"):
        server.start()
    server.close()


def test_start_stop_and_restart_on_the_same_port(own_redis: RedisServer) -> None:
    port = own_redis.port
    assert repr(own_redis) == f"<RedisServer redis://127.0.0.1:{port}/0 running>"
    assert own_redis.command("SET", "kept", "yes").startswith(b"+OK")
    own_redis.start()  # already running: nothing to do
    own_redis.stop()
    assert repr(own_redis) == f"<RedisServer redis://127.0.0.1:{port}/0 stopped>"
    own_redis.stop()  # twice is once
    own_redis.start()
    assert (own_redis.port, own_redis.running) == (port, True)
    assert own_redis.command("GET", "kept") == b"$3\r\nyes\r\n"  # persistent by default
