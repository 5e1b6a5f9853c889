"""Start-up cost of an offline command: `provision policy trust` against `python -c pass`.

Both are run the same number of times, interleaved, in one process of this script; the
figure reported is the ratio of medians. Never used as a timed assertion in tests.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 21


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    provision = str(Path(sys.executable).parent / "provision")
    baseline_cmd = [sys.executable, "-c", "pass"]
    trust_cmd = [provision, "policy", "trust", "--external-id", "ckx5y2abcd0001zz"]
    document = Path(tempfile.mkdtemp()) / "trust.json"
    document.write_text(subprocess.run(trust_cmd, check=True, capture_output=True, text=True).stdout)
    lint_cmd = [provision, "lint", str(document)]
    for argv in (baseline_cmd, trust_cmd):  # warm the file cache
        _time(argv)
    baseline, trust, lint = [], [], []
    for _ in range(RUNS):
        baseline.append(_time(baseline_cmd))
        trust.append(_time(trust_cmd))
        lint.append(_time(lint_cmd))
    base = statistics.median(baseline)
    print(f"runs each: {RUNS} (median wall time)")
    print(f"python -c pass            {base * 1000:7.1f} ms   1.0x")
    for name, samples in (("provision policy trust", trust), ("provision lint FILE", lint)):
        median = statistics.median(samples)
        print(f"{name:<25} {median * 1000:7.1f} ms  {median / base:4.1f}x")


if __name__ == "__main__":
    main()
