"""`maas solve`: solve a benchmark instance file."""

from __future__ import annotations

import typer


def solve(instance: str) -> None:
    """Solve a Cordeau DARP or Li & Lim PDPTW instance (being built: issue 3)."""
    typer.echo("maas solve: not built yet", err=True)
    raise typer.Exit(2)
