#!/usr/bin/env python3
"""Importing a transfer folder as a user sees it: whole-process time and peak memory of
`consolide import` (every rule of FORMAT.md checked, one redb file) beside DuckDB reading the
same parcours.csv and etapes.csv into typed tables of a file of its own, in one run.

    bench/.venv/bin/python bench/import.py FOLDER [--runs N]

FOLDER is a transfer, e.g. `consolide generate --out FOLDER --scale 50 --seed 99` (10M parcours).
Each run starts from no store. Prints one line per engine and run: seconds, peak RSS in MB.
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "consolide"

DUCKDB = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE parcours AS SELECT * FROM read_csv(?, header = true)", [sys.argv[2]])
con.execute("CREATE TABLE etapes AS SELECT * FROM read_csv(?, header = true)", [sys.argv[3]])
con.close()
"""


def timed(cmd):
    """Runs `cmd` under /usr/bin/time: (seconds, peak MB, exit code)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024, out.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not BINARY.exists():
        sys.exit(f"{BINARY} is missing: cargo build --release first")
    folder = args.folder.resolve()
    size = sum(f.stat().st_size for f in folder.glob("*.csv")) / 1e9
    print(f"# {folder} ({size:.2f} GB of CSV)")
    print("engine,run,seconds,peak_mb,exit")
    with tempfile.TemporaryDirectory(dir=ROOT / "target") as tmp:
        for run in range(args.runs):
            db = pathlib.Path(tmp) / f"c{run}.redb"
            s, mb, code = timed([str(BINARY), "--db", str(db), "import", str(folder)])
            print(f"consolide import,{run},{s:.2f},{mb:.0f},{code}", flush=True)
            db.unlink(missing_ok=True)
            duck = pathlib.Path(tmp) / f"d{run}.duckdb"
            s, mb, code = timed([sys.executable, "-c", DUCKDB, str(duck),
                                 str(folder / "parcours.csv"), str(folder / "etapes.csv")])
            print(f"duckdb read_csv,{run},{s:.2f},{mb:.0f},{code}", flush=True)
            duck.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
