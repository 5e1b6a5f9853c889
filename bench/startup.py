"""Start-up cost of an offline command: `provision policy trust` against a minimal Typer app of
the same Typer version (bench/minimal_typer.py: two commands, one `--external-id` option).

Each round runs every command once, in turn (interleaved, so a busy machine slows all alike);
the figure reported for each is its median wall time and the median of its per-round ratios to
the baseline. Bytecode is written on the first run, as an installed package has it. Never used
as a timed assertion in tests.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "21"))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


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
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, argv in commands.items():
            samples[name].append(_time(argv))
    baseline = samples["minimal Typer app"]
    print(f"start-up, {RUNS} interleaved runs each: median wall time, median of per-run ratios")
    for name, times in samples.items():
        ratio = statistics.median(t / b for t, b in zip(times, baseline, strict=True))
        print(f"{name:<25} {statistics.median(times) * 1000:7.1f} ms  {ratio:5.2f}x")
    print("target: provision policy trust at most 1.30x the minimal Typer app")


if __name__ == "__main__":
    main()
