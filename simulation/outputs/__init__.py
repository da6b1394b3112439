"""Outputs: recording each step, the run summary, files written atomically, and plots."""
