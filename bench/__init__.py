"""Benchmarks, run by hand with `make bench` (not by the test suite or CI: they never assert)."""
