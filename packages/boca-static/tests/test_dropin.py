"""Starlette's constructor arguments (packages=, check_dir=, follow_symlink=), unreadable
directories, and cache revalidation off the event loop."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from static_helpers import call, write

from boca.static import StaticDirectoryError, StaticFiles

pytestmark = pytest.mark.anyio


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    write(
        tmp_path / "lib",
        {
            "sitepkg/__init__.py": "",
            "sitepkg/statics/pkg.css": "p{}",
            "sitepkg/assets/other.css": "o{}",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    return "sitepkg"


async def test_packages_serve_their_statics_directory(site: Path, package: str) -> None:
    app = StaticFiles(directory=site, packages=[package, (package, "assets")])
    assert (await call(app, "/hello.txt")).body == b"Hello, world!\n"
    r = await call(app, "/pkg.css")
    assert (r.status, r.body, r.headers["content-type"]) == (200, b"p{}", "text/css; charset=utf-8")
    assert (await call(app, "/other.css")).body == b"o{}"
    only = StaticFiles(packages=[package])
    assert (await call(only, "/pkg.css")).status == 200
    assert (await call(only, "/hello.txt")).status == 404


def test_directory_errors_are_valueerror_and_runtimeerror(tmp_path: Path) -> None:
    # Code written for Starlette catches RuntimeError; Boca's convention is ValueError.
    with pytest.raises(RuntimeError, match="does not exist") as info:
        StaticFiles(directory=tmp_path / "nope")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, StaticDirectoryError)


def test_bad_packages_are_named(package: str) -> None:
    with pytest.raises(ValueError, match=r"package 'no_such_pkg_x' cannot be imported"):
        StaticFiles(packages=["no_such_pkg_x"])
    with pytest.raises(ValueError, match=r"package 'sitepkg' has no 'public' directory"):
        StaticFiles(packages=[("sitepkg", "public")])
    with pytest.raises(ValueError, match="at least one directory"):
        StaticFiles()


async def test_check_dir_false_defers_to_request_time(tmp_path: Path) -> None:
    later = tmp_path / "later"
    app = StaticFiles(directory=later, check_dir=False, fallback="index.html")
    r = await call(app, "/a.txt")
    assert (r.status, r.headers["content-type"]) == (404, "application/json")
    write(later, {"a.txt": "now", "index.html": "<p>app</p>"})
    assert (await call(app, "/a.txt")).body == b"now"
    assert (await call(app, "/missing")).body == b"<p>app</p>"


def test_unreadable_directory_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, whom chmod does not stop: refuse the listing the way the OS would.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(ValueError) as info:
        StaticFiles(locked)
    message = str(info.value)
    assert repr(str(locked)) in message
    assert "cannot be read (Permission denied)" in message
    assert "check_dir=False" in message
    assert isinstance(info.value.__cause__, PermissionError)
    StaticFiles(locked, check_dir=False)


async def test_follow_symlink_is_an_alias(tmp_path: Path) -> None:
    write(tmp_path, {"outside/x.txt": "out", "root/in.txt": "in"})
    os.symlink(tmp_path / "outside" / "x.txt", tmp_path / "root" / "link.txt")
    assert (await call(StaticFiles(tmp_path / "root"), "/link.txt")).status == 404
    r = await call(StaticFiles(directory=tmp_path / "root", follow_symlink=True), "/link.txt")
    assert (r.status, r.body) == (200, b"out")
    r = await call(StaticFiles(tmp_path / "root", follow_symlinks=True), "/link.txt")
    assert (r.status, r.body) == (200, b"out")


async def test_revalidation_stats_in_a_worker_thread(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = StaticFiles(site, check_interval=0)
    assert (await call(app, "/hello.txt")).status == 200
    threads: list[threading.Thread] = []
    real_stat = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        threads.append(threading.current_thread())
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    r = await call(app, "/hello.txt")
    assert (r.status, r.body) == (200, b"Hello, world!\n")
    assert threads
    assert threading.main_thread() not in threads
