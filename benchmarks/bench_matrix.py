"""Travel-time matrices on the full Toyama graph (issue 2), with pytest-benchmark.

    .venv/bin/python -m pytest benchmarks/bench_matrix.py --benchmark-columns=min,median,max

Measures, in one run:

- ``durations`` 1000 x 1000 between seeded random road positions (target <= 2 s);
- networkx ``single_source_dijkstra_path_length`` from the same 1000 sources (the ratio is
  printed and stored in the benchmark's ``extra_info``; target >= 20x), and scipy's
  ``csgraph.dijkstra`` from the same sources for reference;
- the dispatcher's offer hot path: ``durations([origin, dest], 600 stops)`` and
  ``durations(600 stops, [origin, dest])`` for 200 fresh origin/destination pairs, with
  nothing cached about the stops and then with the stops' rows cached as in a live plan
  (target p99 <= 20 ms, printed with p50);
- peak resident memory of the process (target <= 1 GiB).

Figures go to ``docs/benchmarks.md`` (section "Issue 2").
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from maas.roads import RoadNetwork, load_network
from maas.settings import settings

N = 1000
STOPS = 600
PAIRS = 200
RESULTS: dict[str, float] = {}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def toyama() -> RoadNetwork:
    """The full Toyama extract (loaded once; the cache makes this about a second)."""
    path = Path(settings().data_dir) / "osm" / "toyama.osm.bz2"
    if not path.is_file():
        path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "osm" / path.name
    net = load_network(path)
    warm = net.random_locations(4, seed=0)
    net.durations(warm, warm)  # compile the search kernels before timing
    net.durations(warm[:1], warm)
    return net


def test_matrix_1000x1000(benchmark: Any, toyama: RoadNetwork) -> None:
    """1000 x 1000 travel-time matrix between road positions."""
    locs = toyama.random_locations(N, seed=1)
    before = _peak_rss_mib()
    result = benchmark.pedantic(toyama.durations, args=(locs, locs), rounds=3, iterations=1)
    assert result.shape == (N, N)
    cpu = time.process_time()
    toyama.durations(locs, locs)
    cpu = time.process_time() - cpu  # both threads' CPU: the work, whatever the machine's load
    RESULTS["ours_s"] = benchmark.stats.stats.min
    RESULTS["ours_cpu_s"] = cpu
    print(f"\n1000 x 1000: min {RESULTS['ours_s']:.2f} s wall, {cpu:.2f} s CPU (all threads)")
    RESULTS["checksum"] = float(result.sum())
    benchmark.extra_info.update(
        nodes=len(toyama.nodes),
        edges=len(toyama.edges),
        checksum=int(result.sum()),
        peak_rss_mib_before=round(before, 1),
        peak_rss_mib=round(_peak_rss_mib(), 1),
    )


def _sources(net: RoadNetwork) -> list[int]:
    """The node each of the 1000 positions leaves its edge by (the same 1000 sources)."""
    return [loc.edge[1] for loc in net.random_locations(N, seed=1)]  # type: ignore[index]


def test_networkx_same_sources(benchmark: Any, toyama: RoadNetwork) -> None:
    """networkx Dijkstra from the same 1000 sources (the reference the ratio is taken to)."""
    sources = _sources(toyama)
    graph = toyama.graph

    def run() -> int:
        total = 0
        for s in sources:
            total += len(nx.single_source_dijkstra_path_length(graph, s, weight="travel_time"))
        return total

    benchmark.pedantic(run, rounds=1, iterations=1)
    RESULTS["networkx_s"] = benchmark.stats.stats.min
    if "ours_s" in RESULTS:
        ratio = RESULTS["networkx_s"] / RESULTS["ours_s"]
        RESULTS["ratio"] = ratio
        benchmark.extra_info["ratio_vs_ours"] = round(ratio, 1)
        print(
            f"\nnetworkx {RESULTS['networkx_s']:.1f} s / ours {RESULTS['ours_s']:.2f} s "
            f"= {ratio:.0f}x"
        )


def test_scipy_same_sources(benchmark: Any, toyama: RoadNetwork) -> None:
    """scipy.sparse.csgraph.dijkstra from the same 1000 sources on the same CSR matrix."""
    sources = np.array([toyama.node_index[s] for s in _sources(toyama)])
    matrix = toyama._engine.forward.matrix()
    benchmark.pedantic(lambda: dijkstra(matrix, indices=sources), rounds=1, iterations=1)
    RESULTS["scipy_s"] = benchmark.stats.stats.min


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _offer_rows(
    net: RoadNetwork, stops: list[Any], asks: list[Any]
) -> tuple[list[float], list[float], list[float]]:
    """Wall seconds of ``durations(pair, stops)`` and ``durations(stops, pair)`` per fresh
    pair, and the CPU seconds of both."""
    forward, backward, cpu = [], [], []
    for i in range(PAIRS):
        pair = asks[2 * i : 2 * i + 2]
        c0 = time.thread_time()
        t0 = time.perf_counter()
        net.durations(pair, stops)
        t1 = time.perf_counter()
        net.durations(stops, pair)
        forward.append(t1 - t0)
        backward.append(time.perf_counter() - t1)
        cpu.append(time.thread_time() - c0)  # one thread: its CPU time is the work itself
    return forward, backward, cpu


def test_offer_hot_path(benchmark: Any, toyama: RoadNetwork) -> None:
    """One-to-many rows of an offer: 2 x 600 and 600 x 2, fresh origin/destination each time,
    first with nothing cached about the stops, then with the stops' own rows cached (a live
    plan: each stop's row was computed when it was offered)."""
    stops = toyama.random_locations(STOPS, seed=2)
    asks = toyama.random_locations(2 * PAIRS, seed=3)
    toyama.durations(stops[:1], stops)
    for label, cached_stops in (("cold", False), ("live", True)):
        if cached_stops:
            for stop in stops:
                toyama.durations([stop], stops[:1])
            asks = toyama.random_locations(2 * PAIRS, seed=4)
        forward, backward, cpu = _offer_rows(toyama, stops, asks)
        f50, f99 = _percentiles(forward)
        b50, b99 = _percentiles(backward)
        both = [f + b for f, b in zip(forward, backward, strict=True)]
        o50, o99 = _percentiles(both)
        c50, c99 = _percentiles(cpu)
        benchmark.extra_info.update(
            {
                f"{label}_forward_p50_ms": round(f50, 2),
                f"{label}_forward_p99_ms": round(f99, 2),
                f"{label}_backward_p50_ms": round(b50, 2),
                f"{label}_backward_p99_ms": round(b99, 2),
                f"{label}_both_p50_ms": round(o50, 2),
                f"{label}_both_p99_ms": round(o99, 2),
                f"{label}_both_cpu_p50_ms": round(c50, 2),
                f"{label}_both_cpu_p99_ms": round(c99, 2),
            }
        )
        print(
            f"\n{label} stops: 2 x {STOPS}: p50 {f50:.1f} ms p99 {f99:.1f} ms; {STOPS} x 2: "
            f"p50 {b50:.1f} ms p99 {b99:.1f} ms; both: p50 {o50:.1f} ms p99 {o99:.1f} ms "
            f"(CPU p50 {c50:.1f} ms p99 {c99:.1f} ms)"
        )
    pair = asks[:2]
    benchmark(lambda: toyama.durations(pair, stops))  # cached rows: the repeat cost
    RESULTS["peak_rss_mib"] = _peak_rss_mib()
    load = os.getloadavg()[0]
    print(
        f"peak RSS {RESULTS['peak_rss_mib']:.0f} MiB; load average {load:.1f} on "
        f"{os.cpu_count()} CPUs; results {RESULTS}"
    )
