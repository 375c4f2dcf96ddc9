"""Typed errors users can act on; mapped once at the edges (HTTP status, CLI message)."""

from __future__ import annotations


class MaasError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"


class InvalidInput(MaasError, ValueError):
    """Input that can never be served as given (bad coordinates, zero passengers...)."""

    code = "invalid_input"


class NetworkLoadError(MaasError):
    """A road network source that cannot be read or holds no drivable roads."""

    code = "network_load_error"


class OffNetworkError(InvalidInput):
    """A point too far from any drivable road."""

    code = "off_network"

    def __init__(self, lat: float, lon: float, distance_m: float, limit_m: float) -> None:
        self.lat, self.lon, self.distance_m, self.limit_m = lat, lon, distance_m, limit_m
        super().__init__(
            f"point ({lat:.6f}, {lon:.6f}) is {distance_m:.0f} m from the nearest drivable road "
            f"(limit {limit_m:.0f} m)"
        )


class InstanceFormatError(MaasError, ValueError):
    """A benchmark instance file that does not follow its format."""

    code = "instance_format"
