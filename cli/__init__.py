"""The ``maas`` command: composes the packages (the only place importing both api and scenarios).

Each command group lives in its own module and imports its package lazily, so that
``maas --help`` stays fast.
"""

from __future__ import annotations

import typer

from cli import bench, export, graph, report, serve, simulate, solve

app = typer.Typer(
    name="maas",
    help="On-demand rural transit engine: road networks, DARP solver, dispatcher, API, simulator.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(graph.app, name="graph", help="Road networks: load, inspect, travel-time matrices.")
app.add_typer(bench.app, name="bench", help="Reproducible benchmarks of the engine.")
app.add_typer(export.app, name="export",
              help="Publish: GTFS-Flex v2, GOFS-lite, open trip data by grid square.")
app.command("solve")(solve.solve)
app.command("serve")(serve.serve)
app.command("simulate")(simulate.simulate)
app.command("sweep")(simulate.sweep)
app.command("report")(report.report)
