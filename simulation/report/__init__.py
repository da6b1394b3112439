"""The planner's report of a comparison: one self-contained HTML file, its plots also as PNG.

``write_report(comparison, out_dir)`` writes ``report.html`` (tables, and every plot embedded
as a base64 PNG, so the one file can be sent on) and the same plots as ``*.png`` files.
"""

from simulation.report.document import write_report

__all__ = ["write_report"]
