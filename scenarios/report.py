"""The planner's report: PNG plots and a self-contained ``report.html`` embedding them."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit
import matplotlib.pyplot as plt
import numpy as np

from scenarios.records import SimulationResult, TripStatus

PLOTS = {
    "wait_histogram.png": "Wait after the wished pickup time",
    "occupancy.png": "Riders on board over the day",
    "vehicle_timeline.png": "Vehicle timeline of stops",
    "requests_by_hour.png": "Requests by hour and outcome",
}
_STATUS_COLOURS = {
    TripStatus.SERVED: "#2a9d8f",
    TripStatus.REJECTED: "#e76f51",
    TripStatus.CANCELLED: "#e9c46a",
    TripStatus.NO_SHOW: "#8d99ae",
}


def _hours(seconds: np.ndarray | float) -> Any:
    return np.asarray(seconds, dtype=float) / 3600


def plot_waits(result: SimulationResult, path: Path) -> None:
    """Histogram of wait minutes of served trips."""
    waits = [t.wait_seconds / 60 for t in result.trips if t.wait_seconds is not None
             and t.status is TripStatus.SERVED]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(waits or [0], bins=30, color="#2a9d8f", edgecolor="white")
    ax.set_xlabel("minutes after the wished pickup time")
    ax.set_ylabel("served trips")
    ax.set_title(PLOTS[path.name])
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def occupancy_curve(result: SimulationResult) -> tuple[np.ndarray, np.ndarray]:
    """Minute grid over the shift and riders (places) on board across all vans."""
    start, end = result.shift
    last = max([start, end, *(leg.arrive for leg in result.legs)])
    minutes = np.arange(start, last + 60, 60)
    on_board = np.zeros(len(minutes))
    for t in result.trips:
        if t.boarded_at is not None and t.dropoff_at is not None:
            mask = (minutes >= t.boarded_at) & (minutes < t.dropoff_at)
            on_board[mask] += t.passengers + t.wheelchairs
    return minutes, on_board


def plot_occupancy(result: SimulationResult, path: Path) -> None:
    """Riders on board (all vans) minute by minute."""
    minutes, on_board = occupancy_curve(result)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.fill_between(_hours(minutes), on_board, step="post", color="#264653", alpha=0.8)
    ax.set_xlabel("hour of day")
    ax.set_ylabel("riders on board")
    ax.set_title(PLOTS[path.name])
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_timeline(result: SimulationResult, path: Path) -> None:
    """One row per van: driving legs shaded by load, pickups, drop-offs and no-shows."""
    vans = list(result.vehicle_ids)
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(vans) + 1.8))
    cmap = plt.get_cmap("viridis")
    top = max([1, *(leg.load for leg in result.legs)])
    for leg in result.legs:
        row = vans.index(leg.vehicle_id)
        ax.broken_barh([(float(_hours(leg.depart)), float(_hours(leg.arrive - leg.depart)))],
                       (row - 0.3, 0.6), color=cmap(leg.load / top))
    markers = {"pickup": ("^", "#2a9d8f"), "dropoff": ("v", "#e76f51"),
               "no_show": ("x", "#6c757d")}
    for kind, (marker, colour) in markers.items():
        visits = [v for v in result.visits if v.kind == kind]
        if visits:
            ax.scatter(_hours(np.array([v.start for v in visits])),
                       [vans.index(v.vehicle_id) for v in visits],
                       marker=marker, color=colour, s=14, label=kind, zorder=3)
    ax.set_yticks(range(len(vans)), vans)
    ax.set_xlabel("hour of day (bars: driving)")
    ax.set_title(PLOTS[path.name])
    scale = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, top))
    fig.colorbar(scale, ax=ax, label="riders on board", pad=0.01)
    if result.visits:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_requests_by_hour(result: SimulationResult, path: Path) -> None:
    """Requests by wished pickup hour, stacked by outcome."""
    hours = np.arange(24)
    bottom = np.zeros(24)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for status, colour in _STATUS_COLOURS.items():
        counts = np.zeros(24)
        for t in result.trips:
            if t.status is status:
                counts[min(23, t.desired_pickup // 3600)] += 1
        ax.bar(hours, counts, bottom=bottom, color=colour, label=status.value)
        bottom += counts
    start, end = result.shift
    ax.set_xlim(start // 3600 - 1.5, end // 3600 + 0.5)
    ax.set_xlabel("wished pickup hour")
    ax.set_ylabel("requests")
    ax.set_title(PLOTS[path.name])
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write_plots(result: SimulationResult, out: Path) -> list[Path]:
    """Write the four PNG plots into ``out``."""
    paths = [out / name for name in PLOTS]
    plot_waits(result, paths[0])
    plot_occupancy(result, paths[1])
    plot_timeline(result, paths[2])
    plot_requests_by_hour(result, paths[3])
    return paths


def _kpi_rows(kpis: Mapping[str, Any]) -> str:
    rows = []
    for key, value in kpis.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        rows.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(text)}</td></tr>")
    return "\n".join(rows)


def write_report(
    result: SimulationResult, kpis: Mapping[str, Any], out: Path, note: str = ""
) -> Path:
    """Write the plots and ``report.html`` (plots embedded, no external resources)."""
    images = []
    for path in write_plots(result, out):
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        images.append(
            f'<figure><img alt="{html.escape(PLOTS[path.name])}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(PLOTS[path.name])} '
            f"({path.name})</figcaption></figure>"
        )
    synthetic = (
        '<p class="note">Road network: a <b>synthetic</b> town generated by the engine, '
        "not a real place.</p>" if result.synthetic_network else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Scenario {html.escape(result.scenario_name)}: simulated day</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }}
table {{ border-collapse: collapse; }} th, td {{ padding: 2px 10px; border-bottom: 1px solid #ddd;
text-align: left; font-size: 14px; }} figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; }}
.note {{ background: #fff3cd; padding: 6px 10px; }}
</style></head><body>
<h1>Scenario {html.escape(result.scenario_name)} (seed {result.seed})</h1>
{synthetic}<p>{html.escape(note)}</p>
<p>Trip details: <code>trips.csv</code>; interactive map: <a href="map.html">map.html</a>.</p>
<h2>Key figures</h2><table>
{_kpi_rows(kpis)}
</table>
<h2>Plots</h2>
{"".join(images)}
</body></html>
"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
