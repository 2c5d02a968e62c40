"""The six ad-hoc cross-tabs of the column-store issue, consolide beside DuckDB, whole processes.

    python bench/xtabs.py STORE.redb EXPORT_DIR [DUCKDB_FILE]

STORE.redb is a consolide store and EXPORT_DIR its `consolide export --parquet` (the same
parcours and étapes). DuckDB gets its own file (built once from the export, parcours and étapes
as native tables). Each question is then asked in a fresh process of each engine ("cold": the
process opens its file and answers once; the OS page cache as it is), best of three, with the
peak memory of the consolide process (GNU time). DuckDB's process is Python with the duckdb
package: the time Python takes to start and import duckdb is printed apart, so that a reader can
take it off. The answers are not compared here: the same SQL (sql/measures.sql) is checked against
the engine to the unit by tests/sql/check.sh, and bench/peers compares its questions.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLIDE = ROOT / "target" / "release" / "consolide"
SQL = ROOT / "sql"

# (label, consolide crosstab arguments, measure, rows, cols, SQL WHERE, period)
QUESTIONS = [
    ("niveau x tranche_age, sorties_positives, nation", "sorties_positives", "niveau", "tranche_age", None, None, (2017, 2017)),
    ("niveau x tranche_age, sorties_positives, one region", "sorties_positives", "niveau", "tranche_age", ("region", "Hauts-de-France"), None, (2017, 2017)),
    ("public x sexe, entrees, qpv=1", "entrees", "public", "sexe", ("qpv", "1"), "qpv", (2017, 2017)),
    ("plie, en_parcours, public=RSA", "en_parcours", "plie", None, ("public", "RSA"), None, (2017, 2017)),
    ("public x sexe, abandons, 2014..2017", "abandons", "public", "sexe", None, None, (2014, 2017)),
    ("niveau x inactivite, entrees, one PLIE", "entrees", "niveau", "inactivite", ("plie", None), None, (2017, 2017)),
]


def consolide(store, q, plie):
    label, measure, rows, cols, flt, _, (a, b) = q
    argv = [str(CONSOLIDE), "--db", str(store), "crosstab", "--measure", measure,
            "--years" if a != b else "--year", f"{a}..{b}" if a != b else str(a), "--rows", rows,
            "--format", "csv"]
    if cols:
        argv += ["--cols", cols]
    if flt:
        argv += ["--filter", f"{flt[0]}={flt[1] or plie}"]
    return argv


def run(argv):
    """Wall time, peak memory (KB) and output of one whole process."""
    t = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, check=True,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak = int(done.stderr.strip().splitlines()[-1])
    return wall, peak, done.stdout


DUCK_WORKER = r'''
import sys, time, json, duckdb
db, measures, sql, years = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
con = duckdb.connect()
con.execute(f"ATTACH '{db}' AS store (READ_ONLY)")
con.execute("CREATE OR REPLACE VIEW parcours AS SELECT t.*, coalesce(p.departement, '?') AS departement2 FROM store.parcours t LEFT JOIN store.plie p USING (plie)")
con.execute(f"CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES {years}) AS t (annee)")
con.execute(open(measures).read())
rows = con.execute(sql).fetchall()
print(json.dumps([[str(c) for c in r] for r in rows]))
'''


def duckdb_sql(q, plie):
    _, measure, rows, cols, flt, _, _ = q
    keys = [rows] + ([cols] if cols else [])
    where = ""
    if flt:
        column, value = flt[0], flt[1] or plie
        if column == "qpv":
            where = "WHERE qpv"
        else:
            where = f"WHERE {column} = '{value}'"
    return f"SELECT {', '.join(keys)}, SUM({measure}) FROM parcours_annee {where} GROUP BY ALL"


def main():
    store, export = Path(sys.argv[1]), Path(sys.argv[2])
    duck = Path(sys.argv[3]) if len(sys.argv) > 3 else export.with_suffix(".duckdb")
    python = sys.executable
    if not duck.exists():
        import duckdb
        con = duckdb.connect(str(duck))
        t = time.perf_counter()
        con.execute(f"CREATE TABLE parcours AS SELECT * FROM read_parquet('{export}/parcours/*/*.parquet', hive_partitioning = true)")
        con.execute(f"CREATE TABLE etapes AS SELECT * FROM read_parquet('{export}/etapes/*/*.parquet', hive_partitioning = true)")
        con.execute(f"CREATE TABLE plie AS SELECT * FROM read_parquet('{export}/plie.parquet')")
        con.close()
        print(f"DuckDB file built in {time.perf_counter() - t:.1f} s: {duck.stat().st_size:,} bytes")
    print(f"consolide store {store.stat().st_size:,} bytes, DuckDB file {duck.stat().st_size:,} bytes")
    import duckdb
    plie = duckdb.connect(str(duck), read_only=True).execute(
        "SELECT plie FROM parcours GROUP BY plie ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    worker = export / "duck_worker.py"
    worker.write_text(DUCK_WORKER)
    start = min(run([python, "-c", "import duckdb"])[0] for _ in range(3))
    print(f"Python start + import duckdb alone: {start:.3f} s")
    ratios = []
    print(f"{'question':55} {'consolide':>10} {'MB':>6} {'DuckDB cold':>12} {'ratio':>6}")
    for q in QUESTIONS:
        a, b = q[6]
        years = ", ".join(f"({y})" for y in range(a, b + 1))
        argv_c = consolide(store, q, plie)
        argv_d = [python, str(worker), str(duck), str(SQL / "measures.sql"), duckdb_sql(q, plie), years]
        best_c = min((run(argv_c) for _ in range(3)), key=lambda r: r[0])
        best_d = min((run(argv_d) for _ in range(3)), key=lambda r: r[0])
        ratio = best_d[0] / best_c[0]
        ratios.append(ratio)
        mb = f"{best_c[1] / 1024:.0f}"
        print(f"{q[0]:55} {best_c[0]:9.3f}s {mb:>6} {best_d[0]:11.3f}s {ratio:5.2f}x")
    ratios.sort()
    print(f"median ratio (DuckDB cold / consolide): {ratios[len(ratios) // 2]:.2f}")


if __name__ == "__main__":
    main()
