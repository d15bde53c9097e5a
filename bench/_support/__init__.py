"""Modules the benchmarks run in their child processes (not benchmarks themselves)."""
