"""A throwaway `redis-server` for tests: on 127.0.0.1, a free port, its own directory.

```python
with RedisServer() as redis:
    channels = Channels(RedisBackend(redis.url))
    ...
    redis.stop()    # an outage
    redis.start()   # back on the same port, with its data (append-only file)
```

It needs the `redis-server` program (Debian: `apt-get install redis-server`) and fails with
that command when it is missing; it never skips.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "RedisServerMissing"]


class RedisServerMissing(RuntimeError):
    """No `redis-server` program to run."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """Runs `redis-server` until `stop()` (or the end of the `with` block).

    Args:
        executable: The program; found on `PATH` when `None`.
        persistent: Keep the data across `stop()`/`start()` (an append-only file), as a
            production server would; `False` starts empty each time.
        startup_timeout: Seconds to wait for the server to answer.
    """

    def __init__(
        self,
        executable: str | None = None,
        *,
        persistent: bool = True,
        startup_timeout: float = 10.0,
    ) -> None:
        found = executable or shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(found).is_file():
            raise RedisServerMissing(
                "redis-server is not installed: install it with "
                "`sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`"
            )
        self.executable = found
        self.persistent = persistent
        self.startup_timeout = startup_timeout
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0`."""
        return f"redis://{self.host}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (again, on the same port) and wait until it answers PING."""
        if self.running:
            return
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="boca-redis-")
        persistence = ["--appendonly", "yes", "--appendfsync", "always"]
        command = [
            self.executable,
            "--bind", self.host,
            "--port", str(self.port),
            "--dir", self._dir.name,
            "--save", "",
            *(persistence if self.persistent else ["--appendonly", "no"]),
            "--protected-mode", "no",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.startup_timeout
        while not self._ping():
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"redis-server exited at start-up: {error.strip()[-500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer within {self.startup_timeout} s")
            time.sleep(0.02)

    def _ping(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args: str) -> bytes:
        """Send one command in Redis's inline form; the raw reply (for set-up and checks)."""
        with socket.create_connection((self.host, self.port), timeout=5) as sock:
            sock.sendall(" ".join(args).encode() + b"\r\n")
            return sock.recv(65536)

    def stop(self) -> None:
        """Stop the server at once (its data stays on disk when `persistent`)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - redis-server stops on SIGTERM
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RedisServer {self.url} {'running' if self.running else 'stopped'}>"
