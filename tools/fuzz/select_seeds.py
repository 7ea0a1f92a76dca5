# SPDX-License-Identifier: GPL-2.0-or-later
"""Pick a small seed corpus from a libFuzzer merge control file.

`fuzz_abi -merge=1 -merge_control_file=CTL OUT CORPUS...` records, for every input, the
coverage edges it reaches ("COV <index> <edge> ..."). A full -merge keeps every input that
adds a feature (thousands here); this keeps at most --max inputs, chosen greedily for the
most edges not yet covered (smaller inputs first on ties), and copies them into DEST as
files named by their SHA-1, replacing DEST's contents. It prints how many of the corpus'
edges the seeds keep.

Usage: python3 select_seeds.py CONTROL_FILE DEST [--max 48]
"""

import argparse
import hashlib
import sys
from pathlib import Path


def read_control(path):
    lines = Path(path).read_text().splitlines()
    n_files = int(lines[0])
    files = lines[2:2 + n_files]
    coverage = {}
    for line in lines[2 + n_files:]:
        if line.startswith("COV "):
            parts = line.split()
            coverage[int(parts[1])] = set(map(int, parts[2:]))
    return files, coverage


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("control")
    parser.add_argument("dest")
    parser.add_argument("--max", type=int, default=48)
    args = parser.parse_args()

    files, coverage = read_control(args.control)
    sizes = {i: Path(files[i]).stat().st_size for i in coverage}
    everything = set().union(*coverage.values()) if coverage else set()
    covered, chosen = set(), []
    while len(chosen) < args.max:
        best = max(coverage, key=lambda i: (len(coverage[i] - covered), -sizes[i]), default=None)
        if best is None or not coverage[best] - covered:
            break
        chosen.append(best)
        covered |= coverage.pop(best)

    seeds = [Path(files[i]).read_bytes() for i in chosen]  # before DEST (an input) is cleared
    dest = Path(args.dest)
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        old.unlink()
    for data in seeds:
        (dest / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"select_seeds: {len(chosen)} seeds keep {len(covered)} of {len(everything)} edges "
          f"({100.0 * len(covered) / max(1, len(everything)):.1f}%) of {len(files)} inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
