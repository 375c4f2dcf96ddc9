"""Parameter sweeps: one simulated day per point of a grid of ``--set`` values, in parallel.

Runs go to local processes by default, or to a Dask distributed cluster given its scheduler
address (workers need this project installed and the scenario's data at the same paths).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import yaml

from scenarios.config import ScenarioError, load_scenario

SUMMARY_KPIS = (
    "requests", "served", "served_share", "rejected", "cancelled", "no_shows",
    "promise_kept_share", "cost_per_trip", "vehicle_hours", "vehicle_km", "empty_km_share",
    "mean_occupancy", "pooled_share", "passengers_per_vehicle_hour", "co2_kg",
)


def parse_set(option: str) -> tuple[str, list[Any]]:
    """``"fleet.vehicles=2,3"`` -> ``("fleet.vehicles", [2, 3])`` (values read as YAML)."""
    key, sep, values = option.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        msg = f"--set {option!r}: expected KEY=V1,V2,... (e.g. fleet.vehicles=2,3,4)"
        raise ScenarioError(msg)
    try:
        parsed = [yaml.safe_load(v.strip()) for v in values.split(",") if v.strip()]
    except yaml.YAMLError as exc:
        msg = f"--set {option!r}: a value is not valid YAML"
        raise ScenarioError(msg) from exc
    return key, parsed


def grid(sets: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the swept values, in the order given."""
    keys = [k for k, _ in sets]
    if len(set(keys)) != len(keys):
        msg = "--set: a key is given twice"
        raise ScenarioError(msg)
    return [dict(zip(keys, combo, strict=True)) for combo in
            itertools.product(*(values for _, values in sets))]


def variant_name(overrides: Mapping[str, Any]) -> str:
    """A directory name for one grid point (``fleet.vehicles=3__policy.max_wait=15``)."""
    text = "__".join(f"{k}={v}" for k, v in overrides.items()) or "base"
    return re.sub(r"[^A-Za-z0-9_.=-]", "-", text)


def run_variant(
    scenario_path: str, overrides: dict[str, Any], out_dir: str, seed: int | None
) -> dict[str, Any]:
    """Simulate one grid point and return its KPIs (runs in a worker process)."""
    from scenarios.run import run_scenario  # imported in the worker

    scenario = load_scenario(scenario_path, overrides)
    return run_scenario(scenario, Path(out_dir), seed=seed).kpis


def run_sweep(
    scenario_path: Path,
    sets: Sequence[tuple[str, Sequence[Any]]],
    out: Path,
    seed: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the grid and write ``sweep.csv``, ``sweep.json`` and ``sweep.png`` into ``out``."""
    points = grid(sets)
    for overrides in points:  # fail fast on a bad value, before starting any worker
        load_scenario(scenario_path, overrides)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(str(scenario_path.resolve()), p, str(out / variant_name(p)), seed) for p in points]
    results: list[dict[str, Any] | None] = [None] * len(jobs)

    def done(i: int, kpis: dict[str, Any]) -> None:
        results[i] = kpis
        if on_done:
            on_done({**points[i], **kpis})

    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = [client.submit(run_variant, *job, pure=False) for job in jobs]
            index = {f.key: i for i, f in enumerate(futures)}
            for future in dask_completed(futures):
                done(index[future.key], future.result())
    else:
        n = workers or min(len(jobs), os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=max(1, n)) as pool:
            pending = {pool.submit(run_variant, *job): i for i, job in enumerate(jobs)}
            for fut in as_completed(pending):
                done(pending[fut], fut.result())
    rows = [{**p, **{k: r.get(k) for k in SUMMARY_KPIS}}
            for p, r in zip(points, results, strict=True) if r is not None]
    write_table(rows, [k for k, _ in sets], out)
    plot_sweep(rows, [k for k, _ in sets], out / "sweep.png")
    return rows


def write_table(rows: Sequence[Mapping[str, Any]], keys: Sequence[str], out: Path) -> None:
    """``sweep.csv`` and ``sweep.json``: one row per grid point."""
    columns = [*keys, *SUMMARY_KPIS]
    with (out / "sweep.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    (out / "sweep.json").write_text(json.dumps(list(rows), indent=2), encoding="utf-8")


def plot_sweep(rows: Sequence[Mapping[str, Any]], keys: Sequence[str], path: Path) -> None:
    """Served share and cost per trip against each swept value (one column per key)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(keys), figsize=(5 * len(keys), 6), squeeze=False)
    for col, key in enumerate(keys):
        others = [k for k in keys if k != key]
        groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row[k] for k in others), []).append(row)
        for label, members in groups.items():
            members = sorted(members, key=lambda r: r[key])
            xs = [str(r[key]) for r in members]
            name = ", ".join(f"{k}={v}" for k, v in zip(others, label, strict=True)) or None
            axes[0][col].plot(xs, [r["served_share"] for r in members], "o-", label=name)
            axes[1][col].plot(xs, [r["cost_per_trip"] or float("nan") for r in members], "o-",
                              label=name)
        axes[0][col].set_ylabel("served share")
        axes[1][col].set_ylabel("cost per trip")
        axes[1][col].set_xlabel(key)
        if others:
            axes[0][col].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
