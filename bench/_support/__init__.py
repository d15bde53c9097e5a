"""Shared benchmark machinery (``harness``) and the modules benchmarks run in their child processes."""
