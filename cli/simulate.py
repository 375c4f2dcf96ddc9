"""`maas simulate` and `maas sweep`: offline scenario runs."""

from __future__ import annotations

import typer


def simulate(scenario: str) -> None:
    """Simulate one day of a scenario (being built: issue 6)."""
    typer.echo("maas simulate: not built yet", err=True)
    raise typer.Exit(2)


def sweep(scenario: str) -> None:
    """Run a grid of scenario variants (being built: issue 6)."""
    typer.echo("maas sweep: not built yet", err=True)
    raise typer.Exit(2)
