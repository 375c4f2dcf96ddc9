"""`maas serve`: run the dispatch API (``api.main.create_app``) under uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def serve(
    network: Annotated[
        str, typer.Option("--network", help="Road network SOURCE: a file, 'demo' or 'place:NAME'.")
    ] = "demo",
    polygon: Annotated[
        Path | None, typer.Option("--polygon", help="Service-area polygon (GeoJSON file).")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="No Redis server: in-process fakeredis, the synthetic demo "
                                    "town and a demo fleet."),
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="uvicorn worker processes (one Redis).")
    ] = 1,
    service: Annotated[
        Path | None,
        typer.Option("--service", help="Service file (YAML): calendar, hours, booking rules, "
                                       "policy, fares, fleet roster."),
    ] = None,
    training: Annotated[
        bool,
        typer.Option("--training", help="Run on a clock the operator sets (PUT /v1/clock), "
                                        "starting at MAAS_CLOCK_START or now; refused on an "
                                        "area that real service wrote."),
    ] = False,
) -> None:
    """Run the dispatch API for one service area (settings from MAAS_* variables)."""
    import uvicorn

    from api.settings import Settings, SettingsError
    from maas.errors import MaasError

    # Settings travel to the workers through the environment, like every other MAAS_* setting.
    os.environ["MAAS_NETWORK"] = "demo" if demo else network
    if polygon is not None:
        os.environ["MAAS_POLYGON"] = str(polygon)
    if service is not None:
        os.environ["MAAS_SERVICE"] = str(service.resolve())
    if training:
        os.environ["MAAS_TRAINING"] = "true"
    if demo:
        os.environ["MAAS_DEMO"] = "true"
        if "MAAS_REDIS_URL" not in os.environ:
            workers = 1  # the in-process fakeredis cannot be shared between processes
    # Before anything imports prometheus_client (api.main does): it reads the folder then.
    _metrics_dir(workers)
    try:
        settings = Settings()
        settings.check_startable()
        settings.hours_seconds()
        from api.main import service_of

        service_of(settings)  # a bad service file stops here, with the field named
    except (SettingsError, MaasError, ValueError) as exc:
        typer.echo(f"maas serve: {exc}", err=True)
        raise typer.Exit(2) from exc
    if settings.redis_url:
        _warn_without_persistence(settings.redis_url)
    else:
        typer.echo("maas serve: demo mode on an in-process fakeredis: state ends with the "
                   "process; operator token 'demo-operator' unless MAAS_OPERATOR_TOKEN is set",
                   err=True)
    uvicorn.run("api.main:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def _warn_without_persistence(redis_url: str) -> None:
    """Say so when Redis would lose confirmed bookings on a crash (docs/operations.md)."""
    import redis

    from api.persistence import persistence_warning

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=5, decode_responses=True)
        config: dict[str, str] = {}
        for name in ("appendonly", "appendfsync", "save"):
            got: dict[str, str] = client.config_get(name)  # type: ignore[assignment]
            config.update(got)
    except redis.RedisError as exc:
        typer.echo(f"maas serve: cannot read the Redis persistence settings ({exc})", err=True)
        return
    warning = persistence_warning(config)
    if warning:
        typer.echo(f"maas serve: WARNING: {warning}", err=True)


def _metrics_dir(workers: int) -> None:
    """Multiprocess Prometheus metrics (``api.metrics``): the folder
    ``PROMETHEUS_MULTIPROC_DIR`` names, made and emptied of an earlier run's sample files
    (their counts would otherwise be added to this run's); with several workers and no
    folder named, a fresh one."""
    import tempfile

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
    elif workers > 1:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="maas-metrics-")
