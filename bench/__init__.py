"""Benchmarks: ratios measured in one run (machines are noisy)."""
