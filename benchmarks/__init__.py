"""Quality and speed benchmarks: runnable modules that print measured figures (never imported by the product)."""
