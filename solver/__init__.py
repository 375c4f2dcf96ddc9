"""Optimisation: the OR-Tools dial-a-ride model, insertion heuristics, the live dispatcher and
benchmark-format readers. Imports maas only."""
