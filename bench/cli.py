"""How fast ``waystation`` starts: process wall time against ``python -c pass``, same run.

    .venv/bin/python bench/cli.py [--runs 15]

Each command runs ``--runs`` times as a fresh process (the same interpreter as this script,
``python -m stations.main …``, so the console script's own import does not count twice),
interleaved with the baseline so that a busy machine slows both alike. It prints a Markdown
table of the median and the worst wall time of each, and the median's ratio to the
baseline's median. With ``--instructions`` it also counts each command's instructions once
under valgrind's callgrind (the same count whatever else the machine does; the wall-time goal
stays the judge). Goal: ``waystation --help`` and ``waystation holidays 2027`` under 1 s and
at most 3 × ``python -c pass``. Nothing touches a database.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

GOAL_RATIO = 3.0
GOAL_SECONDS = 1.0

COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": ["-c", "pass"],
    "waystation --help": ["-m", "stations.main", "--help"],
    "waystation holidays 2027": ["-m", "stations.main", "holidays", "2027"],
    "waystation --lang en holidays 2027 2030": [
        "-m",
        "stations.main",
        "--lang",
        "en",
        "holidays",
        "2027",
        "2030",
    ],
}


#: Bytecode is written (the warm-up run writes it), as ``pip install`` does for an installed
#: package: an editable checkout under PYTHONDONTWRITEBYTECODE=1 would otherwise compile our
#: modules from source at every start, which no installed ``waystation`` does.
_ENVIRONMENT = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    "WAYSTATION_LOG_LEVEL": "WARNING",
}


def _wall_time(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=True,
        env=_ENVIRONMENT,
    )
    return time.perf_counter() - started


def _instructions(arguments: list[str]) -> int:
    """Instructions the command executes, counted by callgrind (needs valgrind)."""
    finished = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            *arguments,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        check=True,
        env=_ENVIRONMENT,
    )
    found = re.search(r"Collected : (\d+)", finished.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count: {finished.stderr[-500:]}")
    return int(found.group(1))


def _print_instructions() -> None:
    counts = {name: _instructions(arguments) for name, arguments in COMMANDS.items()}
    baseline = next(iter(counts.values()))
    print("\n| command | instructions (callgrind) | ÷ baseline |")
    print("|---|---|---|")
    for name, count in counts.items():
        print(f"| `{name}` | {count / 1e6:.0f} M | {count / baseline:.2f} × |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions under valgrind's callgrind (load-independent)",
    )
    options = parser.parse_args()
    if options.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind")

    for arguments in COMMANDS.values():  # warm the file cache and the bytecode
        _wall_time(arguments)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.runs):
        for name, arguments in COMMANDS.items():
            times[name].append(_wall_time(arguments))

    baseline = statistics.median(next(iter(times.values())))
    print(
        f"{options.runs} runs each, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print("| command | median | worst | median ÷ baseline | goal |")
    print("|---|---|---|---|---|")
    failed = False
    for name, samples in times.items():
        median = statistics.median(samples)
        ratio = median / baseline
        is_baseline = name.endswith("(baseline)")
        met = is_baseline or (ratio <= GOAL_RATIO and median < GOAL_SECONDS)
        failed |= not met
        goal = "—" if is_baseline else ("met" if met else "**missed**")
        print(
            f"| `{name}` | {median * 1000:.0f} ms | {max(samples) * 1000:.0f} ms "
            f"| {ratio:.2f} × | {goal} |"
        )
    if options.instructions:
        _print_instructions()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
