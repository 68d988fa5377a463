"""The KPI engine (domain.md 5, 6a, 6b): catalogue, populations, computation and stored snapshots."""
