"""Runs sql/ in an SQL engine over a Parquet export and compares it with the engine's answers for
the same store: every figure of Tableau 1 for 2016, 2017 and 2014..2017 (with its mean
inactivity and PLIE count), a filtered cross-tab, and Tableau 6 for 2017 and 2014..2017 (every
amount, exact, and its PLIE count). Fails loudly on the first figure that differs. DuckDB here
(check.sh); tests/spark/check.py runs the same checks in Apache Spark through `Engine`."""

import csv
import io
import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

COUNTS = [
    "entrees", "en_parcours", "report", "sorties_positives", "sorties_emploi",
    "sorties_formation", "sorties_sans_suite", "abandons", "demenagements_deces_retraites",
    "autres_sans_suite",
]

# Seconds each side took for the checked queries: the engine's binary (a process per query,
# reading the store) and the SQL engine (each query over the Parquet files).
TIMES = {"engine": 0.0, "sql": 0.0}


def engine(binary, db, *args):
    start = time.perf_counter()
    out = subprocess.run([binary, "--db", db, *args], check=True, capture_output=True, text=True)
    TIMES["engine"] += time.perf_counter() - start
    return out.stdout


def statements(text):
    """The statements of an SQL file, comments left out."""
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


class Engine:
    """An SQL engine over the export: `script` runs a file's statements, `query` one SELECT
    (header, rows)."""

    name = "?"

    def script(self, text):
        raise NotImplementedError

    def query(self, text):
        raise NotImplementedError

    def timed(self, text):
        start = time.perf_counter()
        result = self.query(text)
        TIMES["sql"] += time.perf_counter() - start
        return result


class DuckDB(Engine):
    name = "DuckDB"

    def __init__(self, export, sql):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"SET file_search_path = '{export}'")
        self.script((sql / "duckdb.sql").read_text())

    def script(self, text):
        for s in statements(text):
            self.con.execute(s)

    def query(self, text):
        cursor = self.con.execute(text)
        header = [d[0] for d in cursor.description]
        return header, cursor.fetchall()


def set_period(db, first, last):
    years = ", ".join(f"({y})" for y in range(first, last + 1))
    db.script(f"CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES {years}) AS t (annee);")


def close(a, b, tolerance):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance


def period_args(first, last):
    return ["--year", str(first)] if first == last else ["--years", f"{first}..{last}"]


def period_name(first, last):
    return str(first) if first == last else f"{first}..{last}"


def check_tableau1(db, sql, binary, store, first, last):
    name = f"Tableau 1 {period_name(first, last)}"
    args = period_args(first, last)
    expected = list(csv.DictReader(io.StringIO(engine(binary, store, "tableau", "1", *args, "--format", "csv"))))
    header, rows = db.timed((sql / "tableau1.sql").read_text())
    got = [dict(zip(header, row)) for row in rows]
    assert header == list(expected[0].keys()), f"{name}: columns {header}"
    assert len(got) == len(expected), f"{name}: {len(got)} rows, the engine {len(expected)}"
    figures = 0
    for e, g in zip(expected, got):
        line = f"{name}, line {e['group']},{e['row']}"
        for key in ("group", "row", "label"):
            assert g[key] == e[key], f"{line}: {key} {g[key]!r}, the engine {e[key]!r}"
        for key in COUNTS:
            assert g[key] == int(e[key]), f"{line}: {key} {g[key]}, the engine {e[key]}"
            figures += 1
        exits = int(e["sorties_positives"]) + int(e["sorties_sans_suite"])
        exact = int(e["sorties_positives"]) / exits if exits else None
        printed = float(e["taux_sortie_positive"]) if e["taux_sortie_positive"] else None
        rate = g["taux_sortie_positive"]
        assert close(rate, exact, 1e-9) and close(rate, printed, 5e-7), (
            f"{line}: taux_sortie_positive {rate}, the engine {printed}"
        )
        figures += 1
    document = json.loads(engine(binary, store, "tableau", "1", *args, "--format", "json"))
    _, [(mean, plies)] = db.timed("SELECT inactivite_moyenne_mois, plie FROM mesures")
    assert close(mean, document["inactivite_moyenne_mois"], 1e-6), f"{name}: mean inactivity {mean}"
    assert plies == document["plie"], f"{name}: {plies} PLIE, the engine {document['plie']}"
    return f"{name}: {len(got)} lines, {figures + 2} figures"


def check_crosstab(db, binary, store, year):
    _, [(region,)] = db.query("SELECT min(region) FROM plie WHERE region <> '?'")
    text = engine(binary, store, "crosstab", "--measure", "sorties_positives", "--year", str(year),
                  "--rows", "niveau", "--cols", "tranche_age", "--filter", f"region={region}",
                  "--format", "csv")
    expected = {(r["niveau"], r["tranche_age"]): int(r["sorties_positives"])
                for r in csv.DictReader(io.StringIO(text))}
    set_period(db, year, year)
    literal = region.replace("'", "''")
    _, rows = db.timed(
        "SELECT niveau, tranche_age, SUM(sorties_positives) FROM parcours_annee"
        f" WHERE region = '{literal}' GROUP BY niveau, tranche_age")
    got = {(n, t): s for n, t, s in rows}
    for cell, value in expected.items():
        assert got.get(cell, 0) == value, f"cross-tab {cell}: {got.get(cell, 0)}, the engine {value}"
    assert set(got) <= set(expected), f"cross-tab: cells the engine does not have: {set(got) - set(expected)}"
    return f"sorties_positives by niveau x tranche_age, {region}, {year}: {len(expected)} cells"


def check_tableau6(db, sql, binary, store, first, last):
    name = f"Tableau 6 {period_name(first, last)}"
    args = period_args(first, last)
    set_period(db, first, last)
    expected = list(csv.DictReader(io.StringIO(engine(binary, store, "tableau", "6", *args, "--format", "csv"))))
    header, rows = db.timed((sql / "tableau6.sql").read_text())
    assert header == list(expected[0].keys()), f"{name}: columns {header}"
    assert len(rows) == len(expected), f"{name}: {len(rows)} rows, the engine {len(expected)}"
    figures = 0
    for e, row in zip(expected, rows):
        g = dict(zip(header, row))
        line = f"{name}, line {e['group']},{e['row']}"
        for key in ("group", "row", "label"):
            assert g[key] == e[key], f"{line}: {key} {g[key]!r}, the engine {e[key]!r}"
        for key in ("total", "direct", "indirect"):
            want = Decimal(e[key]) if e[key] else None
            have = None if g[key] is None else Decimal(g[key])
            assert have == want, f"{line}: {key} {have}, the engine {want}"
            figures += want is not None
    document = json.loads(engine(binary, store, "tableau", "6", *args, "--format", "json"))
    _, [(plies,)] = db.timed(
        "SELECT COUNT(DISTINCT f.plie) FROM financements f JOIN periode y ON f.annee = y.annee")
    assert plies == document["plie"], f"{name}: {plies} PLIE, the engine {document['plie']}"
    return f"{name}: {len(rows)} lines, {figures + 1} figures"


def check_all(db, binary, store, sql):
    """Every check; returns what was compared."""
    db.script((sql / "periode.sql").read_text())
    db.script((sql / "measures.sql").read_text())
    checked = []
    for first, last in ((2016, 2016), (2017, 2017), (2014, 2017)):
        set_period(db, first, last)
        checked.append(check_tableau1(db, sql, binary, store, first, last))
    checked.append(check_crosstab(db, binary, store, 2017))
    for first, last in ((2017, 2017), (2014, 2017)):
        checked.append(check_tableau6(db, sql, binary, store, first, last))
    return checked


def report(db, checked):
    print(f"sql/ in {db.name} and the engine agree: " + "; ".join(checked))
    print(f"time: the engine {TIMES['engine']:.2f} s (one process per table), "
          f"{db.name} {TIMES['sql']:.2f} s (the same queries over the Parquet files)")


def main():
    binary, store, export, sql = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    db = DuckDB(export, sql)
    report(db, check_all(db, binary, store, sql))


if __name__ == "__main__":
    main()
