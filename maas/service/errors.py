"""The one error a service file raises: it names the file and the bad field."""

from __future__ import annotations

from maas.errors import InvalidInput


class ServiceError(InvalidInput):
    """A service file that cannot be read, or has a bad field (``file: section.field: why``)."""

    code = "bad_service"
