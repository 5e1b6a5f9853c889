"""Start-up cost of an offline command: `provision policy trust` against a minimal Typer app of
the same Typer version (bench/minimal_typer.py: two commands, one `--external-id` option).

Each round runs every command once, in turn (interleaved, so a busy machine slows all alike);
the figure reported for each is its median wall time and the median of its per-round ratios to
the baseline. Bytecode is written on the first run, as an installed package has it. Never used
as a timed assertion in tests.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "21"))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(argv: list[str]) -> tuple[float, float]:
    """Wall time, and CPU time (user + system: steadier than wall time on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    provision = [sys.executable, "-m", "provisioner"]
    external_id = "ckx5y2abcd0001zz"
    minimal = Path(__file__).with_name("minimal_typer.py")
    commands = {
        "minimal Typer app": [sys.executable, str(minimal), "trust", "--external-id", external_id],
        "provision policy trust": [*provision, "policy", "trust", "--external-id", external_id],
    }
    trust = subprocess.run(commands["provision policy trust"], check=True, capture_output=True, text=True)
    document = Path(tempfile.mkdtemp()) / "trust.json"
    document.write_text(trust.stdout)
    commands["provision lint FILE"] = [*provision, "lint", str(document)]
    for argv in commands.values():  # warm the file cache, write the bytecode
        _time(argv)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, argv in commands.items():
            samples[name].append(_time(argv))
    baseline = samples["minimal Typer app"]
    print(f"start-up, {RUNS} interleaved runs each: medians of wall and CPU time, of per-run ratios")
    for name, times in samples.items():
        line = f"{name:<25}"
        for index, kind in ((0, "wall"), (1, "CPU")):
            median = statistics.median(t[index] for t in times)
            ratio = statistics.median(t[index] / b[index] for t, b in zip(times, baseline, strict=True))
            line += f"  {kind} {median * 1000:6.1f} ms {ratio:5.2f}x"
        print(line)
    print("target: provision policy trust at most 1.30x the minimal Typer app")


if __name__ == "__main__":
    main()
