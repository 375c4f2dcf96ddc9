"""A town's monthly report from the trip history: ``report.html`` and ``report.csv``.

The figures come from ``maas.history.month`` (one definition for the CSV, the page and the
API); this module only draws and writes them. The page embeds its plots as PNG (base64) and
draws the map of rides by zone with matplotlib, so it opens with no network at all.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display
import matplotlib.pyplot as plt
from matplotlib.collections import PatchCollection
from matplotlib.patches import Polygon as PolygonPatch

from maas.history.day import DayRecord
from maas.history.month import (
    DAY_COLUMNS,
    OUTSIDE,
    WEEKDAYS,
    Figures,
    GridZones,
    MonthFigures,
    MonthReport,
    Zones,
    csv_rows,
)

# Rows of the summary table: (figure, label, format).
SUMMARY = (
    ("rides", "Rides (completed bookings)", "{:,.0f}"),
    ("riders", "Riders carried (people)", "{:,.0f}"),
    ("bookings", "Bookings", "{:,.0f}"),
    ("no_shows", "No-shows", "{:,.0f}"),
    ("cancelled", "Cancelled", "{:,.0f}"),
    ("rejected", "Requests refused", "{:,.0f}"),
    ("wait_mean_min", "Mean wait (min)", "{:.1f}"),
    ("wait_p90_min", "Wait, 90th percentile (min)", "{:.1f}"),
    ("on_time_share", "On time", "{:.1%}"),
    ("pooled_share", "Pooled rides", "{:.1%}"),
    ("occupancy", "Mean people on board", "{:.2f}"),
    ("van_days", "Van days", "{:,.0f}"),
    ("vehicle_hours", "Vehicle hours", "{:,.1f}"),
    ("vehicle_km", "Vehicle km", "{:,.1f}"),
    ("cost", "Cost", "{:,.0f}"),
    ("fares", "Fares", "{:,.0f}"),
    ("fare_recovery", "Fare recovery (収支率)", "{:.1%}"),
    ("cost_per_ride", "Cost per ride", "{:,.0f}"),
)


def write_month_csv(month: MonthFigures, path: Path) -> Path:
    """``report.csv``: one row per day (``date`` first), the last row ``date = total``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=DAY_COLUMNS)
        writer.writeheader()
        for row in csv_rows(month):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_rides_by_day(report: MonthReport) -> str:
    """Rides per service day, with the month before's mean per day as a line."""
    cur, prev = report.current, report.previous
    fig, ax = plt.subplots(figsize=(8, 3.2))
    days = [d.date.day for d in cur.days]
    ax.bar(days, [d.figures.rides for d in cur.days], color="#2a9d8f", label=str(cur.month))
    if prev.days:
        mean = prev.total.rides / len(prev.days)
        ax.axhline(mean, color="#e76f51", linestyle="--",
                   label=f"{prev.month} mean per day ({mean:.1f})")
    ax.set_xlabel("day of month")
    ax.set_ylabel("rides")
    ax.set_title("Rides by day")
    ax.legend(loc="upper right", fontsize=8)
    return _png(fig)


def plot_by(current: MonthFigures, previous: MonthFigures, what: str) -> str:
    """Rides by weekday or by hour, this month beside the month before."""
    cur = current.by_weekday if what == "weekday" else current.by_hour
    prev = previous.by_weekday if what == "weekday" else previous.by_hour
    keys = [c.key for c in cur]
    fig, ax = plt.subplots(figsize=(8 if what == "hour" else 6, 3.2))
    xs = range(len(keys))
    ax.bar([x - 0.2 for x in xs], [c.rides for c in cur], width=0.4, color="#2a9d8f",
           label=str(current.month))
    ax.bar([x + 0.2 for x in xs], [c.rides for c in prev], width=0.4, color="#8d99ae",
           label=str(previous.month))
    ax.set_xticks(list(xs), keys, fontsize=8)
    ax.set_ylabel("rides")
    ax.set_title(f"Rides by {what}" + (" (boarding, local time)" if what == "hour" else ""))
    ax.legend(fontsize=8)
    return _png(fig)


def plot_cost(current: MonthFigures) -> str:
    """Cost and fares per day."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    days = [d.date.day for d in current.days]
    ax.bar(days, [d.figures.cost for d in current.days], color="#264653", label="cost")
    ax.bar(days, [d.figures.fares for d in current.days], color="#e9c46a", label="fares")
    ax.set_xlabel("day of month")
    ax.set_title("Cost and fares by day")
    ax.legend(fontsize=8)
    return _png(fig)


def plot_zone_map(current: MonthFigures, days: Sequence[DayRecord], zones: Zones) -> str:
    """The zones shaded by rides (origin zone), with every ride's pickup as a dot."""
    fig, ax = plt.subplots(figsize=(7, 6))
    counts = {c.key: c.rides for c in current.by_zone}
    patches, values, labels = [], [], []
    for name, rides in counts.items():
        ring = zones.outline(name) if name != OUTSIDE else None
        if ring is None:
            continue
        patches.append(PolygonPatch(ring, closed=True))
        values.append(rides)
        xs, ys = zip(*ring, strict=True)
        text = str(rides) if isinstance(zones, GridZones) else f"{name}\n{rides}"
        labels.append((sum(xs) / len(xs), sum(ys) / len(ys), text))
    if patches:
        collection = PatchCollection(patches, cmap="YlGnBu", edgecolor="#264653", alpha=0.8)
        collection.set_array(values)
        collection.set_clim(0, max(values))
        ax.add_collection(collection)
        fig.colorbar(collection, ax=ax, label="rides starting in the zone", shrink=0.7)
        for x, y, text in labels:
            ax.text(x, y, text, ha="center", va="center", fontsize=7)
    points = [(b.origin_lon, b.origin_lat) for d in days if d.date in current.month
              for b in d.bookings if b.status == "completed"]
    if points:
        xs, ys = zip(*points, strict=True)
        ax.scatter(xs, ys, s=4, color="#e76f51", alpha=0.6, label="pickups", zorder=3)
        ax.legend(loc="lower right", fontsize=8)
    ax.autoscale_view()
    ax.set_aspect(1.4)  # about right for degrees of longitude and latitude at 43 °N
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title("Rides by zone of origin")
    return _png(fig)


def _cell(f: Figures | None, name: str, fmt: str) -> str:
    value = None if f is None else getattr(f, name)
    return "–" if value is None else fmt.format(value)


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_PARCEL_ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("handed_in", "Handed in", "{:,}".format), ("delivered", "Delivered", "{:,}".format),
    ("returned", "Returned (nobody home)", "{:,}".format),
    ("cancelled", "Withdrawn", "{:,}".format), ("refused", "Refused", "{:,}".format),
    ("delivered_share", "Delivered share", _pct), ("on_time_share", "On time", _pct),
    ("kg_delivered", "kg delivered", "{:,}".format),
    ("direct_km_delivered", "Direct km delivered", "{:,.1f}".format),
)


def render_html(report: MonthReport, days: Sequence[DayRecord], zones: Zones,
                note: str = "") -> str:
    """The whole page, plots inlined."""
    cur, prev = report.current, report.previous
    summary = [(label, _cell(cur.total, name, fmt),
                _cell(prev.total if prev.days else None, name, fmt))
               for name, label, fmt in SUMMARY]
    summary.insert(2, ("Distinct riders (実利用者数)", f"{cur.distinct_riders:,}",
                       f"{prev.distinct_riders:,}" if prev.days else "–"))
    summary.insert(0, ("Service days", str(len(cur.days)), str(len(prev.days))))
    day_rows = [[d.date.isoformat(), WEEKDAYS[d.date.weekday()],
                 *(_cell(d.figures, n, f) for n, _, f in SUMMARY[:6]),
                 *(_cell(d.figures, n, f) for n, _, f in SUMMARY[12:])] for d in cur.days]
    day_headers = ["date", "", *(label for _, label, _ in SUMMARY[:6]),
                   *(label for _, label, _ in SUMMARY[12:])]
    zone_rows = [[c.key, f"{c.rides:,}", f"{c.riders:,}"] for c in cur.by_zone]
    equity_rows = [] if cur.equity is None else [
        [g.key, f"{g.requests:,}", _pct(g.rejected_share), _num(g.wait_p50_min),
         _num(g.wait_p90_min), _pct(g.on_time_share)]
        for g in (*cur.equity.by_zone, cur.equity.wheelchair, cur.equity.rest)]
    cp, pp = cur.parcels, prev.parcels
    parcel_rows = [[label, fmt(getattr(cp, name)), fmt(getattr(pp, name)) if prev.days else "–"]
                   for name, label, fmt in _PARCEL_ROWS]
    parcels_html = "" if not (cp.handed_in or pp.handed_in) else f"""<h2>Parcels (貨客混載)</h2>
<p>Parcels the vans carried beside riders. Delivered share: of the parcels taken on
(handed in, less refused and withdrawn). Direct km: the drives from pickup to delivery of the
delivered parcels, the least a separate delivery round would have driven for them.</p>
{_table(["", str(cur.month), str(prev.month)], parcel_rows)}"""
    c = report.cost
    plots = [
        plot_rides_by_day(report), plot_by(cur, prev, "weekday"), plot_by(cur, prev, "hour"),
        plot_cost(cur), plot_zone_map(cur, days, zones),
    ]
    images = "".join(f'<img alt="plot" src="data:image/png;base64,{p}">' for p in plots)
    title = html.escape(f"{cur.area}: monthly report {cur.month}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 1.5em; max-width: 70em; }}
table {{ border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
img {{ display: block; margin: 0.8em 0; max-width: 100%; }}</style></head><body>
<h1>{title}</h1>
<p>{html.escape(note)} Figures from the trip history; the month before ({prev.month}) beside
it. Cost model: {c.per_vehicle_hour:,.0f} {html.escape(c.currency)} per vehicle hour,
{c.per_km:,.0f} per km, {c.fixed_per_van_day:,.0f} per van day that drove.</p>
<h2>Summary</h2>
{_table(["", str(cur.month), str(prev.month)], summary)}
<h2>Plots</h2>
{images}
<h2>Rides by zone</h2>
{_table(["zone (origin)", "rides", "riders"], zone_rows)}
<h2>Who the service leaves behind</h2>
<p>By zone of origin, then wheelchair users and the rest: requests (booked or refused), the
share refused, the wait (minutes) and the rides on time.</p>
{_table(["group", "requests", "refused", "wait p50", "wait p90", "on time"], equity_rows)}
{parcels_html}
<h2>Days</h2>
{_table(day_headers, day_rows)}
<p>The same figures, one row per day, are in <code>report.csv</code>.</p>
</body></html>
"""


def write_month_report(report: MonthReport, days: Sequence[DayRecord], zones: Zones,
                       out: Path, note: str = "") -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.csv`` of ``report.current`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_text(render_html(report, days, zones, note), encoding="utf-8")
    return page, write_month_csv(report.current, out / "report.csv")
