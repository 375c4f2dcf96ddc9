"""One simulated day of 500 requests with 8 vans on toyama-south (target: <= 60 s).

Run: ``MAAS_DATA_DIR=../shared/data/osm python benchmarks/bench_simulation.py [--requests 500]
[--vehicles 8] [--seed 1] [--json]``

Side by side in one run:
- ``total``: ``run_scenario`` end to end as ``maas simulate`` runs it (roads from the cache,
  demand, the simulated day, kpis.json, trips.csv, report.html with plots, map.html).
- ``dispatcher``: the part of the simulated day spent inside ``Dispatcher.offer``,
  ``apply`` and ``schedule`` (the baseline any simulator of this dispatcher has to pay);
  ``simulator own`` is the rest of the day (event queue, vans, riders, travel look-ups).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from scenarios.config import load_scenario
from scenarios.run import run_scenario
from solver.dispatch import Dispatcher

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "toyama-south.yaml"
TARGET_S = 60.0


def _timed(store: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            store[name] += time.perf_counter() - started
    return wrapper


def main() -> None:
    """Run the day once (after one warm-up load of the road cache) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--vehicles", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    overrides = {"demand.requests": args.requests, "demand.exact_count": True,
                 "fleet.vehicles": args.vehicles, "demand.seed": args.seed}
    scenario = load_scenario(SCENARIO, overrides)
    from scenarios.run import load_roads

    load_roads(scenario)  # fills the graph cache: the day is timed, not the first OSM parse

    spent: dict[str, float] = defaultdict(float)
    originals = {name: getattr(Dispatcher, name) for name in ("offer", "apply", "schedule")}
    for name, fn in originals.items():
        setattr(Dispatcher, name, _timed(spent, name, fn))
    stages: dict[str, float] = defaultdict(float)
    current = [""]  # the stage running now
    since = [time.perf_counter()]

    def stage(what: str, _: float) -> None:
        if what != current[0]:
            now = time.perf_counter()
            if current[0]:
                stages[current[0]] += now - since[0]
            current[0], since[0] = what, now

    try:
        with TemporaryDirectory() as tmp:
            started, cpu_started = time.perf_counter(), time.process_time()
            run = run_scenario(scenario, Path(tmp), stage=stage)
            total = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
    finally:
        for name, fn in originals.items():
            setattr(Dispatcher, name, fn)
    stages[current[0]] += time.perf_counter() - since[0]
    day = stages.get("simulating the day", 0.0)
    dispatcher = sum(spent.values())
    k = run.kpis
    figures = {
        "scenario": scenario.name,
        "requests": k["requests"],
        "vehicles": args.vehicles,
        "served": k["served"],
        "promise_kept_share": k["promise_kept_share"],
        "total_s": round(total, 2),
        "total_cpu_s": round(cpu, 2),
        "target_s": TARGET_S,
        "stages_s": {name: round(s, 2) for name, s in stages.items()},
        "dispatcher_s": round(dispatcher, 2),
        "dispatcher_calls_s": {name: round(s, 2) for name, s in spent.items()},
        "simulator_own_s": round(day - dispatcher, 2),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"toyama-south: {k['requests']} requests, {args.vehicles} vans, seed {args.seed}")
    print(f"{'total (maas simulate, warm road cache)':<42} {total:7.1f} s   target <= "
          f"{TARGET_S:.0f} s: {'met' if total <= TARGET_S else 'MISSED'} (CPU {cpu:.1f} s)")
    for name, s in stages.items():
        print(f"  {name:<40} {s:7.1f} s")
    print(f"{'  of the day: dispatcher (baseline)':<42} {dispatcher:7.1f} s  "
          + ", ".join(f"{n} {s:.1f}" for n, s in spent.items()))
    print(f"{'  of the day: simulator own':<42} {day - dispatcher:7.1f} s")
    print(f"served {k['served']}, promises kept {k['promise_kept_share']:.1%}")


if __name__ == "__main__":
    main()
