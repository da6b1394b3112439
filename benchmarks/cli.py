"""``prds bench``: the performance benchmark from the command line (see benchmarks/README.md)."""

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console(width=140)  # the table is wide; wrap nothing when output is a file


def bench_command(
    sizes: str = typer.Option("10000,100000,1000000", "--sizes",
                              help="household counts, comma-separated"),
    steps: int = typer.Option(36, "--steps", min=1, help="steps (months) per run"),
    out: Path = typer.Option(Path("out/bench"), "--out", help="folder for bench.json"),
    reference_max: int = typer.Option(
        100_000, "--reference-max", min=0,
        help="largest size the per-agent reference runs at (it costs ~40 us a household-step)"),
    nodes: int = typer.Option(None, "--nodes", min=50, max=500,
                              help="settlements in the generated graph (default: by size)"),
    repeats: int = typer.Option(3, "--repeats", min=1,
                                help="engine runs per size up to 100,000 (the median is kept)"),
    runs: bool = typer.Option(False, "--runs",
                              help="instead: runs per second of small scenarios, in process "
                                   "and through sweeps (benchmarks/throughput.py)"),
) -> None:
    """Household-steps per second and peak memory: the engine and the per-agent Mesa reference."""
    from benchmarks.runner import run_benchmark
    from simulation.outputs.files import write_json

    if runs:
        from benchmarks.throughput import show_throughput

        show_throughput(console, steps, Path(out))
        return

    try:
        counts = [int(size.replace("_", "")) for size in sizes.split(",") if size.strip()]
    except ValueError:
        raise typer.BadParameter(f"--sizes must be whole numbers separated by commas, not "
                                 f"{sizes!r}") from None
    if not counts or min(counts) < 100:
        raise typer.BadParameter("--sizes needs at least one size, each at least 100")

    def show(row):
        console.print(f"  {row['engine']:>9} {row['households']:>9,} households: "
                      f"{row['household_steps_per_s']:>12,} household-steps/s, "
                      f"{row['peak_bytes_per_household']:>6,} B/household peak", highlight=False)

    console.print(f"benchmark: sizes {counts}, {steps} steps, reference up to {reference_max:,}")
    rows = run_benchmark(counts, steps, reference_max, nodes, on_row=show, repeats=repeats)
    path = write_json(Path(out) / "bench.json", rows)
    console.print(table(rows))
    console.print(f"wrote [bold]{path}[/]", highlight=False)


def table(rows: list[dict]) -> Table:
    """The rows as a table (the one kept in benchmarks/README.md)."""
    out = Table(title="prds bench", header_style="bold")
    # hh-step: household-step; CPU: process CPU time over the steps (see benchmarks/runner.py)
    for name in ("engine", "households", "nodes", "steps", "hh-steps/s", "us/hh-step",
                 "CPU us/hh-step", "speed-up (CPU)", "peak B/hh", "build s", "run s", "total s"):
        out.add_column(name, justify="left" if name == "engine" else "right")
    for r in rows:
        out.add_row(r["engine"], f"{r['households']:,}", str(r["nodes"]), str(r["steps"]),
                    f"{r['household_steps_per_s']:,}", f"{r['microseconds_per_household_step']:.3f}",
                    f"{r['cpu_microseconds_per_household_step']:.3f}",
                    (f"{r['speedup_vs_reference']}x ({r['cpu_speedup_vs_reference']}x)"
                     if "speedup_vs_reference" in r else ""),
                    f"{r['peak_bytes_per_household']:,}", f"{r['build_seconds']:.1f}",
                    f"{r['run_seconds']:.1f}", f"{r['total_seconds']:.1f}")
    return out
