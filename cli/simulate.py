"""`maas simulate` and `maas sweep`: offline scenario runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer


def _fail(exc: BaseException) -> typer.Exit:
    """Print a one-line reason and return the exit to raise."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    typer.echo(f"error: {reason}", err=True)
    return typer.Exit(1)


def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the outputs.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Demand seed (overrides the file).")]
    = None,
    history: Annotated[str | None, typer.Option(
        "--history", help="Also write the day into this trip history (a database URL, e.g. "
        "sqlite:///maas-history.db), as the live service does when a day closes.")] = None,
    day: Annotated[datetime | None, typer.Option(
        "--date", formats=["%Y-%m-%d"], help="The simulated day's date in the history (default: "
        "the scenario's date:, else today).")] = None,
) -> None:
    """Simulate one day of a scenario: kpis.json, trips.csv, report.html, map.html in OUT."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from maas.errors import MaasError
    from scenarios.config import load_scenario
    from scenarios.run import SYNTHETIC_NOTE, run_scenario

    console = Console(stderr=True)
    try:
        config = load_scenario(scenario)
        source = config.network.source
        if source != "demo" and not source.startswith("place:"):
            config.resolve_path(source)  # a missing file fails here, before the progress bar
        with Progress(TextColumn("{task.description:<20}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                      console=console, transient=True,
                      disable=not console.is_terminal) as progress:
            task = progress.add_task("starting", total=1.0)

            def stage(what: str, done: float) -> None:
                progress.update(task, description=what, completed=done)

            run = run_scenario(config, out, seed=seed, stage=stage)
        imported = None
        if history is not None:
            imported = _into_history(config, run.result, history, day)
    except (MaasError, OSError, ValueError) as exc:
        raise _fail(exc) from None
    except Exception as exc:  # an engine bug: still one line, naming the exception type
        raise _fail(RuntimeError(f"{type(exc).__name__}: {exc}")) from None
    k = run.kpis
    if run.result.synthetic_network:
        typer.echo(SYNTHETIC_NOTE)
    typer.echo(
        f"{config.name} (seed {k['seed']}): {k['requests']} requests, {k['served']} served, "
        f"{k['rejected']} rejected, {k['cancelled']} cancelled, {k['no_shows']} no-shows; "
        f"wait p90 {k['wait_minutes']['p90']:.1f} min, promises kept "
        f"{100 * k['promise_kept_share']:.1f}%, cost per trip {k['cost_per_trip']} {k['currency']}"
    )
    typer.echo(f"wrote {out}/kpis.json, trips.csv, report.html, map.html ({run.seconds:.1f} s)")
    if imported is not None:
        typer.echo(imported)


def _into_history(config: Any, result: Any, url: str, day: datetime | None) -> str:
    """Import the simulated day through the same DayRecord path as a closed live day."""
    from maas.history import HistoryStore
    from scenarios.history_day import scenario_day_record

    when = day.date() if day is not None else None
    if when is None and config.date is None:
        svc = config.service_definition
        when = datetime.now(ZoneInfo(svc.timezone if svc else "Asia/Tokyo")).date()
    record = scenario_day_record(config, result, when)
    with HistoryStore(url) as store:
        store.migrate()
        added = store.import_day(record)
        where = store.url
    state = "imported into" if added else "already in"
    return f"history: {record.area} {record.date} ({len(record.bookings)} bookings) {state} {where}"


def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: Annotated[list[str], typer.Option("--set", help="KEY=V1,V2,... (repeatable).")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the sweep outputs.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Demand seed for every run.")]
    = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: local processes).")]
    = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes.")] = None,
) -> None:
    """Run a grid of scenario variants in parallel; write sweep.csv and sweep.png in OUT."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from maas.errors import MaasError
    from scenarios.sweep import grid, parse_set, run_sweep

    console = Console(stderr=True)
    try:
        sets = [parse_set(s) for s in set_]
        total = len(grid(sets))
        with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                      console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("sweep", total=total)

            def on_done(_: dict[str, Any]) -> None:
                progress.advance(task)

            rows = run_sweep(scenario, sets, out, seed=seed, scheduler=scheduler,
                             workers=workers, on_done=on_done)
    except (MaasError, OSError, ValueError) as exc:
        raise _fail(exc) from None
    except Exception as exc:  # a worker's failure arrives re-raised from the pool
        raise _fail(RuntimeError(f"{type(exc).__name__}: {exc}")) from None
    keys = [k for k, _ in sets]
    shown = ("served_share", "cost_per_trip", "promise_kept_share", "vehicle_hours")
    table = Table(*keys, *shown)
    for row in rows:
        table.add_row(*(str(row[k]) for k in (*keys, *shown)))
    Console(width=max(Console().width, 140)).print(table)
    typer.echo(f"wrote {out}/sweep.csv, sweep.json, sweep.png ({len(rows)} runs)")
