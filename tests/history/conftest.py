"""History fixtures: one store per test, on the SQLite default and on a real PostgreSQL.

PostgreSQL is started once per session by the suite (``postgresql_proc``: pytest-postgresql's
``PostgreSQLExecutor`` on a free port, never the machine's server on 5432) with the pg_ctl
named by ``postgresql_exec`` in pyproject. Missing binaries are an error, never a skip: a
history suite that did not touch PostgreSQL has not passed.

The data directory lives in its own temporary directory, not under pytest's ``basetemp``:
every pytest session on the machine resets ``/tmp/pytest-of-USER`` to mode 0700, which
would lock out the ``postgres`` user that runs the server when the suite runs as root.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from port_for import get_port
from pytest_postgresql.executor import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from maas.history import HistoryStore

PG_USER = "postgres"  # the server's superuser, and the OS user it runs as under root

# PostgreSQL refuses to run as root (containers, CI): then pg_ctl runs as `postgres`.
_AS_POSTGRES = """#!/bin/bash
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd /tmp
exec runuser -u {user} -- {real} "$@"
"""


def _pg_ctl(config: pytest.Config, folder: Path) -> str:
    real = Path(str(config.getini("postgresql_exec")))
    if not os.access(real, os.X_OK):
        msg = (f"PostgreSQL's pg_ctl not found at {real} (pyproject: postgresql_exec); install "
               "the Debian package postgresql (.ci/run does): the history tests need it")
        raise RuntimeError(msg)
    if os.geteuid() != 0:
        return str(real)
    wrapper = folder / "pg_ctl"
    wrapper.write_text(_AS_POSTGRES.format(user=PG_USER, real=real), encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture(scope="session")
def postgresql_proc(request: pytest.FixtureRequest) -> Iterator[PostgreSQLExecutor]:
    """A PostgreSQL server for this session (fails loudly when the binaries are missing)."""
    folder = Path(tempfile.mkdtemp(prefix="maas-history-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, PG_USER)
            folder.chmod(folder.stat().st_mode | stat.S_IXOTH)
        port = get_port(None)
        assert port is not None
        proc = PostgreSQLExecutor(
            executable=_pg_ctl(request.config, folder), host="127.0.0.1", port=port,
            datadir=str(folder / "data"), unixsocketdir=str(folder),
            logfile=str(folder / "postgresql.log"), startparams="-w", dbname="tests",
            user=PG_USER)
        with proc:
            proc.wait_for_postgres()
            yield proc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    proc: PostgreSQLExecutor = request.getfixturevalue("postgresql_proc")
    if not proc.running():  # say why, instead of waiting on connections that never come
        log = Path(proc.logfile)
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
        msg = (f"the suite's PostgreSQL (port {proc.port}, data {proc.datadir}) is not running;"
               f" its log {log} ends:\n{tail}")
        raise RuntimeError(msg)
    dbname = f"history_{next(_counter)}"
    with DatabaseJanitor(user=proc.user, host=proc.host, port=proc.port, dbname=dbname,
                         version=proc.version, password=proc.password,
                         connection_timeout=15):
        history = HistoryStore(f"postgresql+psycopg://{proc.user}@{proc.host}:{proc.port}/"
                               f"{dbname}")
        history.migrate()
        yield history
        history.close()
