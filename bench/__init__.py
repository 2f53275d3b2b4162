"""Benchmarks: each module prints figures and a final BENCH_JSON line (see bench/README.md)."""
