"""Offline planning: scenario files, demand, the discrete-event simulator, KPIs, reports, sweeps."""
