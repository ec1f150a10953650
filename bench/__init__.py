"""Benchmarks of the hongtu integration: push, poll and door command (see README.md)."""
