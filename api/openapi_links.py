"""OpenAPI links between operations: what one call's answer feeds into the next (an offer's
id into a booking, a booking's id into reading or cancelling it, a new rider's or van's id
into their records). Clients and generators read them; the stateful fuzz test
(``tests/api/test_schemathesis.py``) walks them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# (operation path, method, status) -> {link name: (target path, method, parameters, body)}
_LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str], Any]]] = {
    ("/v1/offers", "post", "201"): {
        "BookOffer": ("/v1/bookings", "post", {}, {"offer_id": "$response.body#/offer_id"}),
    },
    ("/v1/bookings", "post", "201"): {
        "ReadBooking": ("/v1/bookings/{booking_id}", "get",
                        {"booking_id": "$response.body#/id"}, None),
        "CancelBooking": ("/v1/bookings/{booking_id}", "delete",
                          {"booking_id": "$response.body#/id"}, None),
    },
    ("/v1/riders", "post", "201"): {
        "ReadRider": ("/v1/riders/{rider_id}", "get", {"rider_id": "$response.body#/id"}, None),
        "EditRider": ("/v1/riders/{rider_id}", "patch", {"rider_id": "$response.body#/id"},
                      None),
    },
    ("/v1/vehicles", "post", "201"): {
        "ReadVehicle": ("/v1/vehicles/{vehicle_id}", "get",
                        {"vehicle_id": "$response.body#/id"}, None),
        "VehicleManifest": ("/v1/vehicles/{vehicle_id}/manifest", "get",
                            {"vehicle_id": "$response.body#/id"}, None),
        "ReportPosition": ("/v1/vehicles/{vehicle_id}/position", "post",
                           {"vehicle_id": "$response.body#/id"}, None),
    },
}


def _operation_id(doc: dict[str, Any], path: str, method: str) -> str | None:
    op = doc.get("paths", {}).get(path, {}).get(method)
    return None if op is None else str(op.get("operationId"))


def add_links(doc: dict[str, Any]) -> None:
    """Add the links to ``doc`` (an OpenAPI document) where both operations exist."""
    for (path, method, status), links in _LINKS.items():
        source = doc.get("paths", {}).get(path, {}).get(method)
        if source is None or status not in source.get("responses", {}):
            continue
        found = {}
        for name, (target, target_method, params, body) in links.items():
            op_id = _operation_id(doc, target, target_method)
            if op_id is None:
                continue
            link: dict[str, Any] = {"operationId": op_id}
            if params:
                link["parameters"] = params
            if body is not None:
                link["requestBody"] = body
            found[name] = link
        if found:
            source["responses"][status]["links"] = found


def describe_links(app: FastAPI) -> None:
    """Serve the links in ``/openapi.json`` (wraps the app's document builder)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        add_links(doc)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
