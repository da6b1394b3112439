"""Performance benchmarks: the per-agent Mesa reference, generated scenarios, ``prds bench``."""
