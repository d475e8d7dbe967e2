"""Benchmarks: scripts run by hand (``python -m benchmarks.<name>``), never by pytest; see README.md."""
