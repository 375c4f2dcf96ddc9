"""History fixtures: one store per test, on the SQLite default and on a real PostgreSQL.

PostgreSQL is started by the suite (pytest-postgresql's ``postgresql_proc``, on a free port,
never the machine's server on 5432) from ``postgresql_exec`` in pyproject. Missing binaries
are an error, never a skip: a history suite that did not touch PostgreSQL has not passed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executor import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from maas.history import HistoryStore

# PostgreSQL refuses to run as root (containers, CI). Then pg_ctl runs as the `postgres`
# user through this wrapper, which also lets that user into pytest's root-owned temp dirs.
_AS_POSTGRES = """#!/bin/bash
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
if [ "${{1:-}}" = "initdb" ]; then
  data=""; prev=""
  for arg in "$@"; do [ "$prev" = "--pgdata" ] && data="$arg"; prev="$arg"; done
  parent="$(dirname "$data")"
  mkdir -p "$parent" && chown {user} "$parent"
  dir="$parent"
  while dir="$(dirname "$dir")" && [ "$dir" != "/" ] && [ "$dir" != "/tmp" ]; do
    chmod o+x "$dir"
  done
fi
cd /tmp
exec runuser -u {user} -- {real} "$@"
"""


def _pg_ctl(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> str:
    real = Path(str(config.getini("postgresql_exec")))
    if not os.access(real, os.X_OK):
        msg = (f"PostgreSQL's pg_ctl not found at {real} (pyproject: postgresql_exec); install "
               "the Debian package postgresql (.ci/run does): the history tests need it")
        raise RuntimeError(msg)
    if os.geteuid() != 0:
        return str(real)
    wrapper = tmp_path_factory.mktemp("pg-ctl") / "pg_ctl"
    wrapper.write_text(_AS_POSTGRES.format(user="postgres", real=real), encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


@pytest.fixture(scope="session")
def pg_ctl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The pg_ctl the suite starts PostgreSQL with (fails loudly when it is missing); handed
    to pytest-postgresql's ``postgresql_proc`` as its ``--postgresql-exec``."""
    path = _pg_ctl(request.config, tmp_path_factory)
    request.config.option.postgresql_exec = path
    return path


_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryStore]:
    """A migrated, empty history: the SQLite file default, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        history = HistoryStore(f"sqlite:///{tmp_path / 'maas-history.db'}")
        history.migrate()
        yield history
        history.close()
        return
    request.getfixturevalue("pg_ctl")
    proc: PostgreSQLExecutor = request.getfixturevalue("postgresql_proc")
    dbname = f"history_{next(_counter)}"
    with DatabaseJanitor(user=proc.user, host=proc.host, port=proc.port, dbname=dbname,
                         version=proc.version, password=proc.password):
        history = HistoryStore(f"postgresql+psycopg://{proc.user}@{proc.host}:{proc.port}/"
                               f"{dbname}")
        history.migrate()
        yield history
        history.close()
