"""Two openers of a new history database migrating at once: the loser retries and finds the
schema at the newest revision; any other failure is reported at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from maas.history import store as store_module
from maas.history.store import HistoryError, HistoryStore


def _failing_once(message: str, calls: list[int]) -> Any:
    real = store_module.command.upgrade

    def upgrade(cfg: Any, revision: str) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("CREATE TABLE", {}, sqlite3.OperationalError(message))
        real(cfg, revision)

    return upgrade


def test_a_lost_migration_race_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    calls: list[int] = []
    monkeypatch.setattr(store_module.command, "upgrade",
                        _failing_once("table history_days already exists", calls))
    monkeypatch.setattr(store_module.time, "sleep", lambda _: None)
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    assert store.migrate() == HistoryStore.head()
    assert len(calls) == 2


def test_another_migration_failure_is_not_retried(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(store_module.command, "upgrade",
                        _failing_once("disk I/O error", calls))
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    with pytest.raises(HistoryError, match="disk I/O error"):
        store.migrate()
    assert len(calls) == 1


def test_two_threads_migrate_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(HistoryStore(url).migrate())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [HistoryStore.head()] * 2
