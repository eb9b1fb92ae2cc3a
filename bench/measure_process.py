"""Run one command; write its wall seconds, peak memory and exit code as JSON.

A fresh wrapper process per measured run, because ``getrusage(RUSAGE_CHILDREN)`` keeps the
largest peak of every child a process has ever waited for: measured from the benchmark
itself, a small run after a large one would report the large one's peak. Here the wrapper
has exactly one child. ``ru_maxrss`` is the largest resident set of any process in the
child's tree that was waited for (KiB on Linux); the notebook and dbt each run in one
process, so it is their peak. Needs no GNU time.

    python bench/measure_process.py result.json -- dbt build ...
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

# The token that separates the result path from the command to measure.
SEPARATOR = "--"
KIB_PER_MIB = 1024


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != SEPARATOR:
        sys.exit(__doc__)
    result_path, command = Path(argv[0]), argv[2:]
    started = time.perf_counter()
    returncode = subprocess.run(command, check=False).returncode
    wall_seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        "command": command,
        "returncode": returncode,
        "wall_seconds": wall_seconds,
        "peak_mib": peak_kib / KIB_PER_MIB,
    }
    result_path.write_text(json.dumps(result, indent=2) + "\n")
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
