"""Runs sql/ in DuckDB over a Parquet export and compares it with the engine's answers for the
same store (see check.sh). Fails loudly on the first figure that differs."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb

COUNTS = [
    "entrees", "en_parcours", "report", "sorties_positives", "sorties_emploi",
    "sorties_formation", "sorties_sans_suite", "abandons", "demenagements_deces_retraites",
    "autres_sans_suite",
]


def engine(binary, db, *args):
    out = subprocess.run([binary, "--db", db, *args], check=True, capture_output=True, text=True)
    return out.stdout


def connect(export, sql):
    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{export}'")
    for name in ("duckdb", "periode", "measures"):
        con.execute((sql / f"{name}.sql").read_text())
    return con


def set_period(con, first, last):
    years = ", ".join(f"({y})" for y in range(first, last + 1))
    con.execute(f"CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES {years}) AS t (annee)")


def close(a, b, tolerance):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance


def check_tableau1(con, sql, binary, db, first, last):
    period = ["--year", str(first)] if first == last else ["--years", f"{first}..{last}"]
    name = f"Tableau 1 {first}" + ("" if first == last else f"..{last}")
    expected = list(csv.DictReader(io.StringIO(engine(binary, db, "tableau", "1", *period, "--format", "csv"))))
    cursor = con.execute((sql / "tableau1.sql").read_text())
    header = [d[0] for d in cursor.description]
    got = [dict(zip(header, row)) for row in cursor.fetchall()]
    assert header == list(expected[0].keys()), f"{name}: columns {header}"
    assert len(got) == len(expected), f"{name}: {len(got)} rows, the engine {len(expected)}"
    for e, g in zip(expected, got):
        line = f"{name}, line {e['group']},{e['row']}"
        for key in ("group", "row", "label"):
            assert g[key] == e[key], f"{line}: {key} {g[key]!r}, the engine {e[key]!r}"
        for key in COUNTS:
            assert g[key] == int(e[key]), f"{line}: {key} {g[key]}, the engine {e[key]}"
        exits = int(e["sorties_positives"]) + int(e["sorties_sans_suite"])
        exact = int(e["sorties_positives"]) / exits if exits else None
        printed = float(e["taux_sortie_positive"]) if e["taux_sortie_positive"] else None
        rate = g["taux_sortie_positive"]
        assert close(rate, exact, 1e-9) and close(rate, printed, 5e-7), (
            f"{line}: taux_sortie_positive {rate}, the engine {printed}"
        )
    document = json.loads(engine(binary, db, "tableau", "1", *period, "--format", "json"))
    mean, plies = con.execute("SELECT inactivite_moyenne_mois, plie FROM mesures").fetchone()
    assert close(mean, document["inactivite_moyenne_mois"], 1e-6), f"{name}: mean inactivity {mean}"
    assert plies == document["plie"], f"{name}: {plies} PLIE, the engine {document['plie']}"
    return f"{name}: {len(got)} lines"


def check_crosstab(con, binary, db, year):
    region = con.execute("SELECT min(region) FROM plie WHERE region <> '?'").fetchone()[0]
    text = engine(binary, db, "crosstab", "--measure", "sorties_positives", "--year", str(year),
                  "--rows", "niveau", "--cols", "tranche_age", "--filter", f"region={region}",
                  "--format", "csv")
    expected = {(r["niveau"], r["tranche_age"]): int(r["sorties_positives"])
                for r in csv.DictReader(io.StringIO(text))}
    set_period(con, year, year)
    rows = con.execute(
        "SELECT niveau, tranche_age, SUM(sorties_positives) FROM parcours_annee"
        " WHERE region = ? GROUP BY niveau, tranche_age", [region]).fetchall()
    got = {(n, t): s for n, t, s in rows}
    for cell, value in expected.items():
        assert got.get(cell, 0) == value, f"cross-tab {cell}: {got.get(cell, 0)}, the engine {value}"
    assert set(got) <= set(expected), f"cross-tab: cells the engine does not have: {set(got) - set(expected)}"
    return f"sorties_positives by niveau x tranche_age, {region}, {year}: {len(expected)} cells"


def main():
    binary, db, export, sql = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    con = connect(export, sql)
    checked = []
    for first, last in ((2016, 2016), (2017, 2017), (2014, 2017)):
        set_period(con, first, last)
        checked.append(check_tableau1(con, sql, binary, db, first, last))
    checked.append(check_crosstab(con, binary, db, 2017))
    print("sql/ and the engine agree: " + "; ".join(checked))


if __name__ == "__main__":
    main()
