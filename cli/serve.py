"""`maas serve`: run the dispatch API."""

from __future__ import annotations

import typer


def serve() -> None:
    """Run the dispatch API (being built: issue 5)."""
    typer.echo("maas serve: not built yet", err=True)
    raise typer.Exit(2)
