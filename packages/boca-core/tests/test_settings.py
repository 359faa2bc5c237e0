from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from boca.core.settings import Settings, SettingsError, read_env_file


class Config(Settings):
    DEBUG: bool = False
    DATABASE_URL: str
    WORKERS: int = 4
    TIMEOUT: float = 2.5
    HOSTS: list[str] = ["localhost"]
    PORTS: list[int] = []
    LAUNCH: dt.date | None = None
    SECRET_KEY: str = "dev"


def test_values_come_from_the_environment_cast_to_their_types() -> None:
    config = Config(
        environ={
            "DATABASE_URL": "sqlite:///db",
            "DEBUG": "yes",
            "WORKERS": "8",
            "TIMEOUT": "0.5",
            "HOSTS": "a.example, b.example",
            "PORTS": "80,443",
            "LAUNCH": "2026-11-25",
        },
        env_file="/nonexistent/.env",
    )
    assert config.DATABASE_URL == "sqlite:///db"
    assert config.DEBUG is True
    assert config.WORKERS == 8
    assert config.TIMEOUT == 0.5
    assert config.HOSTS == ["a.example", "b.example"]
    assert config.PORTS == [80, 443]
    assert dt.date(2026, 11, 25) == config.LAUNCH


def test_defaults_apply_when_unset() -> None:
    config = Config(environ={"DATABASE_URL": "x"}, env_file="/nonexistent/.env")
    assert (config.DEBUG, config.WORKERS, config.HOSTS, config.LAUNCH) == (
        False,
        4,
        ["localhost"],
        None,
    )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as info:
        Config(environ={"WORKERS": "many", "DEBUG": "perhaps"}, env_file="/nonexistent/.env")
    assert info.value.problems == {
        "DEBUG": "expected a boolean (true/false, 1/0, yes/no, on/off) (got 'perhaps')",
        "DATABASE_URL": "required, but not set",
        "WORKERS": "expected an integer (got 'many')",
    }
    assert str(info.value).startswith("invalid settings:\n  DEBUG: ")


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# comment\n"
        "export DATABASE_URL='postgres://db'\n"
        'SECRET_KEY="line\\nbreak"\n'
        "WORKERS=2  # inline comment\n"
        "\n"
    )
    config = Config(env_file=env, environ={"WORKERS": "3"})
    assert config.DATABASE_URL == "postgres://db"
    assert config.SECRET_KEY == "line\nbreak"
    assert config.WORKERS == 3
    assert read_env_file(env)["WORKERS"] == "2"


def test_malformed_env_file_line_is_named(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("GOOD=1\nthis is not a setting\n")
    with pytest.raises(SettingsError) as info:
        read_env_file(env)
    assert list(info.value.problems) == [f"{env}:2"]


def test_prefix_and_overrides() -> None:
    class Prefixed(Settings):
        env_prefix = "MYAPP_"
        env_file = None
        NAME: str

    assert Prefixed(environ={"MYAPP_NAME": "boca", "NAME": "other"}).NAME == "boca"
    assert Prefixed(environ={}, NAME="given").NAME == "given"
    with pytest.raises(SettingsError) as info:
        Prefixed(environ={"MYAPP_NAME": "x"}, UNKNOWN=1)
    assert info.value.problems == {"UNKNOWN": "not a declared setting"}


def test_repr_hides_secrets() -> None:
    config = Config(environ={"DATABASE_URL": "x", "SECRET_KEY": "hunter2"}, env_file="/no/.env")
    assert "hunter2" not in repr(config)
    assert "SECRET_KEY=***" in repr(config)
    assert "DATABASE_URL='x'" in repr(config)
