"""Creating an account once per Idempotency-Key (``api.accounts``), for drivers and staff."""

from __future__ import annotations

import asyncio
from typing import Any

import fakeredis
import pytest
from fastapi.testclient import TestClient

from api.accounts import create_once
from api.auth import OPERATOR as OPERATOR_PRINCIPAL
from api.errors import ApiError
from api.settings import Settings
from api.store import AreaStore
from tests.api.conftest import OPERATOR


def test_retried_driver_creation_returns_the_same_account_and_token(client: TestClient) -> None:
    headers = {**OPERATOR, "Idempotency-Key": "drv-1"}
    first = client.post("/v1/drivers", json={"name": "Yamada Taro"}, headers=headers)
    again = client.post("/v1/drivers", json={"name": "Yamada Taro"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert [d["id"] for d in client.get("/v1/drivers", headers=OPERATOR).json()["drivers"]] \
        == [first.json()["id"]]
    other = client.post("/v1/drivers", json={"name": "Sato Jiro"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_a_failed_creation_gives_its_key_back_and_a_retry_starts_afresh() -> None:
    store = AreaStore(fakeredis.FakeAsyncRedis(), "t")
    settings = Settings(operator_token="x" * 32)
    made: dict[str, dict[str, Any]] = {}

    async def find(account_id: str) -> dict[str, Any] | None:
        return made.get(account_id)

    async def broken(account_id: str, token: str) -> dict[str, Any]:
        raise RuntimeError("Redis went away")

    async def make(account_id: str, token: str) -> dict[str, Any]:
        made[account_id] = {"id": account_id}
        return made[account_id]

    async def run() -> None:
        body = {"name": "Yamada"}
        with pytest.raises(RuntimeError):
            await create_once(store, settings, OPERATOR_PRINCIPAL, "driver", "k", body, "d_1",
                              find, broken)
        first = await create_once(store, settings, OPERATOR_PRINCIPAL, "driver", "k", body,
                                  "d_2", find, make)
        again = await create_once(store, settings, OPERATOR_PRINCIPAL, "driver", "k", body,
                                  "d_3", find, make)
        assert (first.record["id"], first.replayed) == ("d_2", False)
        assert (again.record, again.token, again.replayed) == (first.record, first.token, True)
        with pytest.raises(ApiError) as reused:
            await create_once(store, settings, OPERATOR_PRINCIPAL, "driver", "k",
                              {"name": "Sato"}, "d_4", find, make)
        assert reused.value.code == "idempotency_key_reused"

    asyncio.run(run())
