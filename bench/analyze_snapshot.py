"""The `analyze` JSON of the demo and every cached landmark recording, for checking that a
restructuring changes no output.

    python bench/analyze_snapshot.py OUT_DIR            # write OUT_DIR/<name>.json + SHA256SUMS
    python bench/analyze_snapshot.py OUT_DIR --compare OTHER_DIR

Inputs: `fitcoach demo --json` and `fitcoach analyze REC -e EXERCISE --json` for every
`~/.cache/fitcoach-bench/landmarks/*.npz` (written by bench/counting.py from ../shared/clips;
the exercise is the file name's prefix before `__`). Run it once on the old commit (a git
worktree) and once on the new one, then `--compare`: every file must be byte-identical.
It drives the `fitcoach` command of the interpreter running it, so it checks whatever
checkout that interpreter imports (run it from that checkout's directory).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

CACHE = Path.home() / ".cache" / "fitcoach-bench" / "landmarks"


def _run(args: list[str], out: Path) -> None:
    cmd = [sys.executable, "-m", "fitcoach", *args, "--json", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        out.write_text(f"exit {done.returncode}\n{done.stderr[-2000:]}")


def snapshot(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    target = out_dir / "demo.json"
    _run(["demo", "--no-voice"] if _demo_has_no_voice() else ["demo"], target)
    written.append(target)
    for rec in sorted(CACHE.glob("*.npz")):
        exercise = rec.name.split("__", 1)[0]
        target = out_dir / (rec.stem + ".json")
        _run(["analyze", str(rec), "-e", exercise, "--no-progress"], target)
        written.append(target)
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in written)
    (out_dir / "SHA256SUMS").write_text(sums)
    return written


def _demo_has_no_voice() -> bool:
    done = subprocess.run([sys.executable, "-m", "fitcoach", "demo", "--help"], capture_output=True, text=True)
    return "--no-voice" in done.stdout


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    differ = [n for n in names if not ((a / n).exists() and (b / n).exists()
                                       and (a / n).read_bytes() == (b / n).read_bytes())]
    for n in differ:
        print(f"DIFFERS: {n}")
    print(f"{len(names) - len(differ)} of {len(names)} analyze JSON files byte-identical")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--compare", type=Path, metavar="OTHER_DIR")
    args = ap.parse_args()
    if args.compare:
        return compare(args.out_dir, args.compare)
    if not CACHE.is_dir():
        print(f"no landmark cache at {CACHE}: run bench/counting.py once (needs ../shared)")
    files = snapshot(args.out_dir)
    print(f"wrote {len(files)} analyze JSON files to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
