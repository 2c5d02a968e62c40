"""consolide beside DuckDB and Polars on the same generated data (run through `bench/peers`).

For each size N it generates a transfer (parcours.csv and plie.csv of `consolide generate`), loads
it into consolide (the CLI's import, validation included), DuckDB (a native table in a DuckDB
file) and Polars (a frame written as an Arrow IPC file), then times each engine on the same
questions: Tableau 1 for 2017, Tableau 1BIS over 2014..2017, and the cross-tab niveau x
tranche_age of sorties_positives in 2017 filtered on one PLIE, one region and the nation. Every
engine's answers are compared with consolide's before any timing is printed; then the timings,
the ratios, a CSV of every figure and a plot of time against N are written under the data folder.

cold: a fresh process opens the engine's file and answers once (the OS page cache as it is:
nothing is dropped). warm: the same question again in that process, median of --repeat runs.
consolide's CLI opens the store and loads its snapshot in every process, so its warm figure is
another process with a warm page cache; "library" is consolide's library in one process
(bench/inprocess: open and load once, then each question, first and warm), the way a host program
or a server uses it.
"""

import argparse
import csv
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = ROOT / "sql"
COUNTS = [
    "entrees", "en_parcours", "report", "sorties_positives", "sorties_emploi",
    "sorties_formation", "sorties_sans_suite", "abandons", "demenagements_deces_retraites",
    "autres_sans_suite",
]
BIS = ["entrees", "sorties_positives", "sorties_emploi", "sorties_sans_suite"]
YEAR = 2017
YEARS = list(range(2014, 2018))
# Tableau 1's groups after the total, as CLI.md orders them (public x inscrit_pe is apart).
GROUPS = ["sexe", "age_26", "tranche_age", "th", "inscrit_pe", "public", "niveau", "inactivite"]
# `consolide generate --scale 1` writes about this many parcours.
PARCOURS_PER_SCALE = 200_000
# Values of Tableau 1's groups that are not lines of it.
NOT_LINES = {("th", "0"), ("inscrit_pe", "0"), ("inactivite", "?")}
QUERIES = ["tableau1", "tableau1bis", "xtab_plie", "xtab_region", "xtab_nation", "xtab_qpv",
           "xtab_range"]
# The cross-tabs with a characteristic filter and over a range: (measure, rows, cols, years).
XTABS = {"xtab_qpv": ("entrees", "public", "sexe", [YEAR]),
         "xtab_range": ("abandons", "public", "sexe", YEARS)}
# "library": consolide's library in one process (bench/inprocess), answers as the CLI's.
ENGINES = ["consolide", "library", "duckdb", "polars"]
STEPS = ["load", "open"] + QUERIES


def parse_size(text):
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    text = text.strip().upper()
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def size_label(n):
    for unit, value in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= value and n % value == 0:
            return f"{n // value}{unit}"
    return str(n)


# ---------------------------------------------------------------------------------------------
# The corpus

def prepare(consolide, data, n, seed):
    """Generates the transfer for size n once (reused when present); returns its folder."""
    folder = data / size_label(n)
    transfer = folder / "transfer"
    done = folder / "generated.json"
    if done.exists():
        return folder, json.loads(done.read_text())
    transfer.mkdir(parents=True, exist_ok=True)
    scale = n / PARCOURS_PER_SCALE
    print(f"generating about {n:,} parcours (scale {scale:g}) in {transfer}", file=sys.stderr)
    out = subprocess.run(
        [consolide, "generate", "--out", str(transfer), "--scale", f"{scale:g}", "--seed", str(seed)],
        check=True, capture_output=True, text=True,
    ).stdout
    # The questions read parcours and plie.csv only: the other files are not loaded by anyone.
    for name in ("etapes.csv", "financements.csv", "allocations.csv", "activite.csv"):
        (transfer / name).unlink(missing_ok=True)
    parcours = int(out.split(" parcours,")[0].split()[-1])
    info = {"parcours": parcours, "scale": scale, "seed": seed, "csv_bytes": (transfer / "parcours.csv").stat().st_size}
    done.write_text(json.dumps(info))
    return folder, info


def filters(folder, consolide):
    """The PLIE and the region with the most parcours: the selective filters of the cross-tab."""
    status = subprocess.run(
        [consolide, "--db", str(folder / "consolide.redb"), "status", "--format", "csv"],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = list(csv.DictReader(io.StringIO(status)))
    plie = max(rows, key=lambda r: int(r["parcours"]))["plie"]
    by_region = {}
    for r in rows:
        by_region[r["region"]] = by_region.get(r["region"], 0) + int(r["parcours"])
    region = max(by_region, key=by_region.get)
    return {"plie": plie, "region": region}


# ---------------------------------------------------------------------------------------------
# consolide: the CLI, one process per question

def consolide_argv(query, f):
    if query == "tableau1":
        return ["tableau", "1", "--year", str(YEAR), "--format", "csv"]
    if query == "tableau1bis":
        return ["tableau", "1bis", "--years", f"{YEARS[0]}..{YEARS[-1]}", "--format", "csv"]
    if query in XTABS:
        measure, rows, cols, years = XTABS[query]
        argv = ["crosstab", "--measure", measure, "--years", f"{years[0]}..{years[-1]}", "--rows",
                rows, "--cols", cols, "--format", "csv"]
        return argv + (["--filter", "qpv=1"] if query == "xtab_qpv" else [])
    argv = ["crosstab", "--measure", "sorties_positives", "--year", str(YEAR), "--rows", "niveau",
            "--cols", "tranche_age", "--format", "csv"]
    if query == "xtab_plie":
        argv += ["--filter", f"plie={f['plie']}"]
    elif query == "xtab_region":
        argv += ["--filter", f"region={f['region']}"]
    return argv


def consolide_result(query, text):
    rows = list(csv.DictReader(io.StringIO(text)))
    if query == "tableau1":
        return {f"{r['group']}|{r['row']}": [int(r[c]) for c in COUNTS] for r in rows}
    if query == "tableau1bis":
        out = {}
        for r in rows:
            for m in BIS:
                for y in [str(y) for y in YEARS] + ["total"]:
                    v = r[f"{m}_{y}"]
                    key = f"{r['group']}|{r['row']}|{m}|{y}"
                    if r["group"] == "total":
                        out[key] = int(v)
                    else:
                        out[key] = float(v) if v else None
        return out
    if query in XTABS:
        measure, a, b, _ = XTABS[query]
        return {f"{r[a]}|{r[b]}": int(r[measure]) for r in rows if int(r[measure])}
    return {f"{r['niveau']}|{r['tranche_age']}": int(r["sorties_positives"]) for r in rows
            if int(r["sorties_positives"])}


def run_consolide(consolide, folder, query, f, repeat):
    db = str(folder / "consolide.redb")
    if query == "load":
        Path(db).unlink(missing_ok=True)
        t = time.perf_counter()
        subprocess.run([consolide, "--db", db, "import", str(folder / "transfer")], check=True,
                       capture_output=True)
        return {"cold": time.perf_counter() - t, "warm": None, "result": None}
    times, text, peak = [], None, 0
    for _ in range(repeat + 1):
        t = time.perf_counter()
        # GNU time gives the process's peak memory (in KB) on its last line of stderr.
        done = subprocess.run(["/usr/bin/time", "-f", "%M", consolide, "--db", db,
                               *consolide_argv(query, f)], check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        text = done.stdout
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]))
    return {"cold": times[0], "warm": statistics.median(times[1:]), "mem_kb": peak,
            "result": consolide_result(query, text)}


# ---------------------------------------------------------------------------------------------
# The peers, each in a worker process of its own (see `worker`)

def run_library(inprocess, folder, f, repeat):
    """consolide's library in one process: open + load, then each question, first and warm."""
    out = subprocess.run(
        [inprocess, str(folder / "consolide.redb"), f["plie"], f["region"], str(repeat)],
        check=True, capture_output=True, text=True,
    ).stdout
    times = json.loads(out)
    measured = {("library", "open"): {"cold": times["open"], "warm": None}}
    for q in QUERIES:
        measured[("library", q)] = {"cold": times[q]["first"], "warm": times[q]["warm"]}
    return measured


def run_worker(engine, folder, query, f, repeat):
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, str(folder), query, json.dumps(f), str(repeat)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def timed(open_engine, answer, repeat):
    """cold: open + first answer; warm: median of `repeat` more answers in the same process."""
    t = time.perf_counter()
    state = open_engine()
    result = answer(state)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        answer(state)
        warm.append(time.perf_counter() - t)
    return {"cold": cold, "warm": statistics.median(warm) if warm else None, "result": result}


def bis_result(counts):
    """Tableau 1BIS from {(year, grp, code): {measure: count}}: the total line's counts, every other
    line's share of them, per year and over the years (consolide_result's keys)."""
    lines = {(g, c) for (_, g, c) in counts} - NOT_LINES
    out = {}
    for g, c in lines:
        for m in BIS:
            per_year = {str(y): counts.get((y, g, c), {}).get(m, 0) for y in YEARS}
            per_year["total"] = sum(per_year.values())
            totals = {str(y): counts.get((y, "total", "total"), {}).get(m, 0) for y in YEARS}
            totals["total"] = sum(totals.values())
            for y, v in per_year.items():
                key = f"{g}|{c}|{m}|{y}"
                if g == "total":
                    out[key] = v
                else:
                    out[key] = v / totals[y] if totals[y] else None
    return out


# DuckDB: the native table holds the transfer's columns, typed, with the age at entry computed
# at load as consolide's import does; the view `parcours` gives it the export's columns, so that
# sql/measures.sql and sql/tableau1.sql run on it unchanged.
DUCKDB_COLUMNS = {
    "plie": "VARCHAR", "participant": "VARCHAR", "entree": "DATE", "sortie": "DATE",
    "motif_sortie": "VARCHAR", "sexe": "VARCHAR", "naissance": "VARCHAR", "public": "VARCHAR",
    "inscrit_pe": "TINYINT", "th": "TINYINT", "niveau": "VARCHAR", "inactivite": "VARCHAR",
    "qpv": "TINYINT", "commune": "VARCHAR", "emploi_secteur": "VARCHAR",
    "emploi_employeur": "VARCHAR", "emploi_taille": "VARCHAR", "emploi_contrat": "VARCHAR",
    "emploi_mesure": "VARCHAR", "formation_domaine": "VARCHAR", "formation_niveau": "VARCHAR",
    "formation_validation": "VARCHAR", "formation_duree_mois": "INTEGER",
}

DUCKDB_LOAD = """
CREATE TABLE plie AS SELECT * FROM read_csv('{plie}', header = true, all_varchar = true);
CREATE TABLE parcours_t AS
SELECT
    plie, participant, entree, sortie, motif_sortie, sexe, naissance, public,
    inscrit_pe = 1 AS inscrit_pe, th = 1 AS th, niveau,
    CASE WHEN inactivite = 'JAMAIS' THEN NULL ELSE CAST(inactivite AS INTEGER) END AS inactivite_mois,
    coalesce(inactivite = 'JAMAIS', false) AS jamais,
    qpv = 1 AS qpv, commune, emploi_secteur, emploi_employeur, emploi_taille, emploi_contrat,
    emploi_mesure, formation_domaine, formation_niveau, formation_validation, formation_duree_mois,
    CAST(year(entree) - CAST(substr(naissance, 1, 4) AS INTEGER)
         - CASE WHEN month(entree) < CAST(substr(naissance, 6, 2) AS INTEGER) THEN 1 ELSE 0 END
         AS TINYINT) AS age
FROM read_csv('{parcours}', header = true, columns = {columns});
"""

DUCKDB_VIEW = """
CREATE OR REPLACE VIEW parcours AS
SELECT
    t.*,
    coalesce(p.departement, '?') AS departement,
    coalesce(p.region, '?') AS region,
    CASE WHEN t.age < 26 THEN '<26' ELSE '>=26' END AS age_26,
    CASE WHEN t.age <= 24 THEN '15-24' WHEN t.age <= 44 THEN '25-44' WHEN t.age <= 54 THEN '45-54'
         WHEN t.age <= 64 THEN '55-64' ELSE '65+' END AS tranche_age,
    CASE WHEN t.jamais THEN 'JAMAIS' WHEN t.inactivite_mois IS NULL THEN '?'
         WHEN t.inactivite_mois < 12 THEN '<1' WHEN t.inactivite_mois < 24 THEN '1-2'
         WHEN t.inactivite_mois < 36 THEN '2-3' WHEN t.inactivite_mois < 60 THEN '3-5'
         ELSE '5+' END AS inactivite
FROM store.parcours_t t
LEFT JOIN store.plie p ON p.plie = t.plie;
"""


def duckdb_bis_sql():
    """Tableau 1BIS's counts in one pass: Tableau 1's grouping sets, each with the year."""
    sets = ["(annee)"] + [f"(annee, {g})" for g in GROUPS] + ["(annee, public, inscrit_pe)"]
    grp = "CASE WHEN GROUPING(public) = 0 AND GROUPING(inscrit_pe) = 0 THEN 'public_x_inscrit_pe' "
    grp += " ".join(f"WHEN GROUPING({g}) = 0 THEN '{g}'" for g in GROUPS) + " ELSE 'total' END"
    code = "COALESCE(" + ", ".join(["sexe", "age_26", "tranche_age", "th", "public", "inscrit_pe",
                                    "niveau", "inactivite"]) + ", 'total')"
    sums = ", ".join(f"SUM({m})" for m in BIS)
    return f"""
        SELECT annee, {grp}, {code}, {sums}
        FROM (SELECT annee, sexe, age_26, tranche_age, public, niveau, inactivite,
                     CASE WHEN th THEN '1' ELSE '0' END AS th,
                     CASE WHEN inscrit_pe THEN '1' ELSE '0' END AS inscrit_pe,
                     {", ".join(BIS)}
              FROM parcours_annee) p
        GROUP BY GROUPING SETS ({", ".join(sets)})
        HAVING NOT (GROUPING(public) = 0 AND GROUPING(inscrit_pe) = 0 AND inscrit_pe = '0')"""


def duckdb_worker(folder, query, f, repeat):
    import duckdb

    db = folder / "duckdb.db"
    if query == "load":
        db.unlink(missing_ok=True)
        t = time.perf_counter()
        con = duckdb.connect(str(db))
        columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in DUCKDB_COLUMNS.items()) + "}"
        con.execute(DUCKDB_LOAD.format(plie=folder / "transfer" / "plie.csv",
                                       parcours=folder / "transfer" / "parcours.csv", columns=columns))
        con.close()
        return {"cold": time.perf_counter() - t, "warm": None, "result": None}

    def periode(con, years):
        values = ", ".join(f"({y})" for y in years)
        con.execute(f"CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES {values}) AS t (annee)")

    def open_engine():
        con = duckdb.connect()
        con.execute(f"ATTACH '{db}' AS store (READ_ONLY)")
        con.execute(DUCKDB_VIEW)
        periode(con, [YEAR])
        con.execute((SQL / "measures.sql").read_text())
        if query == "tableau1bis" or query in XTABS:
            periode(con, XTABS[query][3] if query in XTABS else YEARS)
        return con

    tableau1 = (SQL / "tableau1.sql").read_text()
    bis = duckdb_bis_sql()

    def answer(con):
        if query == "tableau1":
            rows = con.execute(tableau1).fetchall()
            return {f"{r[0]}|{r[1]}": list(r[3:13]) for r in rows}
        if query == "tableau1bis":
            counts = {}
            for y, g, c, *v in con.execute(bis).fetchall():
                counts[(y, g, c)] = dict(zip(BIS, v))
            return bis_result(counts)
        if query in XTABS:
            measure, a, b, _ = XTABS[query]
            where = "WHERE qpv" if query == "xtab_qpv" else ""
            rows = con.execute(f"SELECT {a}, {b}, SUM({measure}) FROM parcours_annee {where} "
                               f"GROUP BY {a}, {b}").fetchall()
            return {f"{x}|{y}": int(v) for x, y, v in rows if v}
        where, params = "", []
        if query == "xtab_plie":
            where, params = "WHERE plie = ?", [f["plie"]]
        elif query == "xtab_region":
            where, params = "WHERE region = ?", [f["region"]]
        rows = con.execute(f"SELECT niveau, tranche_age, SUM(sorties_positives) FROM parcours_annee "
                           f"{where} GROUP BY niveau, tranche_age", params).fetchall()
        return {f"{n}|{t}": int(s) for n, t, s in rows if s}

    return timed(open_engine, answer, repeat)


def polars_worker(folder, query, f, repeat):
    import polars as pl

    frame, plies = folder / "polars.arrow", folder / "polars_plie.arrow"
    if query == "load":
        t = time.perf_counter()
        dtypes = {k: {"VARCHAR": pl.String, "DATE": pl.Date, "TINYINT": pl.Int8,
                      "INTEGER": pl.Int32}[v] for k, v in DUCKDB_COLUMNS.items()}
        df = pl.read_csv(folder / "transfer" / "parcours.csv", schema_overrides=dtypes)
        born_year = pl.col("naissance").str.slice(0, 4).cast(pl.Int32)
        born_month = pl.col("naissance").str.slice(5, 2).cast(pl.Int32)
        entree = pl.col("entree")
        df = df.with_columns(
            inscrit_pe=pl.col("inscrit_pe") == 1,
            th=pl.col("th") == 1,
            qpv=pl.col("qpv") == 1,
            inactivite_mois=pl.when(pl.col("inactivite") != "JAMAIS")
            .then(pl.col("inactivite").cast(pl.Int32, strict=False)),
            jamais=(pl.col("inactivite") == "JAMAIS").fill_null(False),
            age=(entree.dt.year() - born_year
                 - (entree.dt.month().cast(pl.Int32) < born_month).cast(pl.Int32)).cast(pl.Int8),
        ).drop("inactivite")
        df.write_ipc(frame)
        pl.read_csv(folder / "transfer" / "plie.csv", infer_schema=False).write_ipc(plies)
        return {"cold": time.perf_counter() - t, "warm": None, "result": None}

    def open_engine():
        return pl.read_ipc(frame, memory_map=True), pl.read_ipc(plies, memory_map=True)

    def active(df, year):
        """The parcours en parcours in `year`, with their 0/1 counts and the derived dimensions."""
        ey, xy, motif = pl.col("entree").dt.year(), pl.col("sortie").dt.year(), pl.col("motif_sortie")
        out = (xy == year).fill_null(False)
        age, mois = pl.col("age"), pl.col("inactivite_mois")
        flags = {
            "entrees": ey == year,
            "en_parcours": pl.lit(True),
            "report": ey < year,
            "sorties_positives": out & motif.is_in(["EMPLOI", "FORMATION", "AUTRE_POSITIVE"]),
            "sorties_emploi": out & (motif == "EMPLOI"),
            "sorties_formation": out & (motif == "FORMATION"),
            "sorties_sans_suite": out & motif.is_in(["ABANDON", "DEMENAGEMENT_DECES_RETRAITE", "AUTRE_SANS_SUITE"]),
            "abandons": out & (motif == "ABANDON"),
            "demenagements_deces_retraites": out & (motif == "DEMENAGEMENT_DECES_RETRAITE"),
            "autres_sans_suite": out & (motif == "AUTRE_SANS_SUITE"),
        }
        return df.lazy().filter((ey <= year) & (xy.is_null() | (xy >= year))).with_columns(
            **{k: v.cast(pl.Int64) for k, v in flags.items()},
            age_26=pl.when(age < 26).then(pl.lit("<26")).otherwise(pl.lit(">=26")),
            tranche_age=pl.when(age <= 24).then(pl.lit("15-24")).when(age <= 44).then(pl.lit("25-44"))
            .when(age <= 54).then(pl.lit("45-54")).when(age <= 64).then(pl.lit("55-64")).otherwise(pl.lit("65+")),
            inactivite=pl.when(pl.col("jamais")).then(pl.lit("JAMAIS")).when(mois.is_null()).then(pl.lit("?"))
            .when(mois < 12).then(pl.lit("<1")).when(mois < 24).then(pl.lit("1-2"))
            .when(mois < 36).then(pl.lit("2-3")).when(mois < 60).then(pl.lit("3-5")).otherwise(pl.lit("5+")),
            th=pl.when(pl.col("th")).then(pl.lit("1")).otherwise(pl.lit("0")),
            inscrit_pe=pl.when(pl.col("inscrit_pe")).then(pl.lit("1")).otherwise(pl.lit("0")),
        )

    def tableau1(df, year, measures):
        rows = active(df, year).collect()
        sums = [pl.col(m).sum() for m in measures]
        parts = {("total", "total"): rows.select(sums).row(0)}
        for g in GROUPS:
            for code, *v in rows.group_by(g).agg(sums).iter_rows():
                parts[(g, code)] = tuple(v)
        for code, *v in rows.filter(pl.col("inscrit_pe") == "1").group_by("public").agg(sums).iter_rows():
            parts[("public_x_inscrit_pe", code)] = tuple(v)
        return {k: v for k, v in parts.items() if k not in NOT_LINES}

    def answer(state):
        df, plie = state
        if query == "tableau1":
            return {f"{g}|{c}": list(v) for (g, c), v in tableau1(df, YEAR, COUNTS).items()}
        if query == "tableau1bis":
            counts = {}
            for y in YEARS:
                for (g, c), v in tableau1(df, y, BIS).items():
                    counts[(y, g, c)] = dict(zip(BIS, v))
            return bis_result(counts)
        if query in XTABS:
            measure, a, b, years = XTABS[query]
            parts = [active(df, y) for y in years]
            lf = pl.concat(parts) if len(parts) > 1 else parts[0]
            if query == "xtab_qpv":
                lf = lf.filter(pl.col("qpv"))
            rows = lf.group_by(a, b).agg(pl.col(measure).sum()).collect()
            return {f"{x}|{y}": int(v) for x, y, v in rows.iter_rows() if v}
        lf = active(df, YEAR)
        if query == "xtab_plie":
            lf = lf.filter(pl.col("plie") == f["plie"])
        elif query == "xtab_region":
            codes = plie.filter(pl.col("region") == f["region"])["plie"]
            lf = lf.filter(pl.col("plie").is_in(codes.implode()))
        rows = lf.group_by("niveau", "tranche_age").agg(pl.col("sorties_positives").sum()).collect()
        return {f"{n}|{t}": int(s) for n, t, s in rows.iter_rows() if s}

    return timed(open_engine, answer, repeat)


def worker(argv):
    engine, folder, query, f, repeat = argv[0], Path(argv[1]), argv[2], json.loads(argv[3]), int(argv[4])
    run = {"duckdb": duckdb_worker, "polars": polars_worker}[engine]
    print(json.dumps(run(folder, query, f, repeat)))


# ---------------------------------------------------------------------------------------------
# Comparing, reporting

def differences(expected, got, name):
    """Every cell where `got` differs from consolide's answer `expected` (zero cells may be absent)."""
    problems = []
    for key in sorted(set(expected) | set(got)):
        e, g = expected.get(key), got.get(key)
        if isinstance(e, list) or isinstance(g, list):
            same = (e or [0] * len(COUNTS)) == [int(x) for x in (g or [0] * len(COUNTS))]
        elif isinstance(e, float) or isinstance(g, float):
            # A share is absent where its total is 0, and a line no peer grouped is a share of 0.
            same = abs((e or 0.0) - (g or 0.0)) <= 5e-7
        else:
            same = (e or 0) == (g or 0)
        if not same:
            problems.append(f"{name} {key}: consolide {e}, other {g}")
    return problems


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError):
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), {mem}"


def versions(consolide):
    import duckdb
    import polars
    v = subprocess.run([consolide, "--version"], capture_output=True, text=True).stdout.strip()
    return f"{v}, duckdb {duckdb.__version__}, polars {polars.__version__}, Python {platform.python_version()}"


def fmt(s):
    if s is None:
        return "-"
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def merge(rows, sizes, out):
    """Adds this run's figures to those of earlier runs in `out` (a size measured again replaces
    its earlier figures), so that the plot and the files cover every N measured there."""
    done = {r["n"] for r in rows}
    if (out / "peers.csv").exists():
        with open(out / "peers.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if int(r["n"]) not in done:
                    rows.append({"n": int(r["n"]), "engine": r["engine"], "step": r["step"],
                                 "cold": float(r["cold_s"]),
                                 "warm": float(r["warm_s"]) if r["warm_s"] else None})
    if (out / "sizes.csv").exists():
        with open(out / "sizes.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if int(r["n"]) not in done:
                    sizes.setdefault(int(r["n"]), {})[r["engine"]] = int(r["bytes"])
    rows.sort(key=lambda r: (r["n"], ENGINES.index(r["engine"]), STEPS.index(r["step"])))
    with open(out / "peers.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["n", "engine", "step", "cold_s", "warm_s"])
        for r in rows:
            w.writerow([r["n"], r["engine"], r["step"], f"{r['cold']:.6f}",
                        "" if r["warm"] is None else f"{r['warm']:.6f}"])
    with open(out / "sizes.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["n", "engine", "bytes", "bytes_per_parcours"])
        for n in sorted(sizes):
            for engine, b in sizes[n].items():
                w.writerow([n, engine, b, f"{b / n:.1f}"])


def report(rows, sizes, measured_now):
    """Prints, for each size measured in this run, the timings and the ratios to consolide."""
    for n in sorted(measured_now):
        print(f"\n## {n:,} parcours")
        print("| step | CLI cold | CLI warm | library first | library warm | DuckDB cold | DuckDB warm "
              "| Polars cold | Polars warm | DuckDB / library | Polars / library | DuckDB / CLI |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for step in STEPS:
            cell = {r["engine"]: r for r in rows if r["n"] == n and r["step"] == step}

            def best(e):
                """The engine's warm figure, else its only one."""
                r = cell.get(e)
                return None if r is None else (r["warm"] if r["warm"] is not None else r["cold"])

            line = [step]
            for e in ENGINES:
                r = cell.get(e, {"cold": None, "warm": None})
                line += [fmt(r["cold"]), fmt(r["warm"])]
            for e, base in (("duckdb", "library"), ("polars", "library"), ("duckdb", "consolide")):
                a, b = best(e), best(base)
                line.append("-" if a is None or b is None else f"{a / b:.2f}")
            print("| " + " | ".join(line) + " |")
        per = sizes[n]
        print("\nbytes on disk per parcours: " + ", ".join(f"{e} {b / n:.1f}" for e, b in per.items()))
        mem = [(r["step"], r["mem_kb"]) for r in rows
               if r["n"] == n and r["engine"] == "consolide" and r.get("mem_kb")]
        if mem:
            print("peak memory of each consolide process: "
                  + ", ".join(f"{step} {kb / 1024:.0f} MB" for step, kb in mem))


def plot(rows, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = ["load", "tableau1", "tableau1bis", "xtab_region"]
    fig, axes = plt.subplots(1, len(steps), figsize=(4.2 * len(steps), 3.8))
    colors = {"consolide": "tab:blue", "library": "tab:purple", "duckdb": "tab:orange", "polars": "tab:green"}
    for ax, step in zip(axes, steps):
        for e in ENGINES:
            pts = sorted((r["n"], r["cold"], r["warm"]) for r in rows if r["engine"] == e and r["step"] == step)
            if not pts:
                continue
            ns = [p[0] for p in pts]
            if e != "library":
                ax.plot(ns, [p[1] for p in pts], "--o", color=colors[e], label=f"{e} cold")
            if all(p[2] is not None for p in pts):
                ax.plot(ns, [p[2] for p in pts], "-s", color=colors[e], label=f"{e} warm")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(step)
        ax.set_xlabel("parcours")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("seconds")
    axes[-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "peers.png", dpi=110)
    fig.savefig(out / "peers.svg")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", default=["1M"], help="numbers of parcours: 1M 10M 100M")
    parser.add_argument("--data", default=str(ROOT / "target" / "peers"), help="where corpora and results go")
    parser.add_argument("--consolide", default=str(ROOT / "target" / "release" / "consolide"))
    parser.add_argument("--inprocess", help="bench/inprocess's binary: the library's in-process times")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per question (median)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    rows, sizes, problems = [], {}, []
    for label in args.sizes:
        folder, info = prepare(args.consolide, data, parse_size(label), args.seed)
        n = info["parcours"]
        print(f"{n:,} parcours in {folder}: loading and asking each engine", file=sys.stderr)
        measured = {}
        for e in ("consolide", "duckdb", "polars"):
            measured[(e, "load")] = (run_consolide(args.consolide, folder, "load", None, 0) if e == "consolide"
                                     else run_worker(e, folder, "load", {}, 0))
        f = filters(folder, args.consolide)
        for q in QUERIES:
            for e in ("consolide", "duckdb", "polars"):
                measured[(e, q)] = (run_consolide(args.consolide, folder, q, f, args.repeat) if e == "consolide"
                                    else run_worker(e, folder, q, f, args.repeat))
            for e in ("duckdb", "polars"):
                problems += differences(measured[("consolide", q)]["result"], measured[(e, q)]["result"],
                                        f"{size_label(parse_size(label))} {e} {q}")
        if args.inprocess:
            measured.update(run_library(args.inprocess, folder, f, args.repeat))
        for (e, step), m in measured.items():
            rows.append({"n": n, "engine": e, "step": step, "cold": m["cold"], "warm": m["warm"],
                         "mem_kb": m.get("mem_kb")})
        sizes[n] = {"consolide": (folder / "consolide.redb").stat().st_size,
                    "duckdb": (folder / "duckdb.db").stat().st_size,
                    "polars": (folder / "polars.arrow").stat().st_size}
        print(f"filters: plie={f['plie']}, region={f['region']}", file=sys.stderr)
    if problems:
        print(f"the engines disagree ({len(problems)} cells); no timing is printed:", file=sys.stderr)
        for p in problems[:50]:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    print("every engine gave consolide's figures for every question "
          "(Tableau 1 2017, 1BIS 2014..2017, cross-tab by PLIE, region, nation, filtered on qpv, "
          "over 2014..2017)")
    print(f"machine: {machine()}\nversions: {versions(args.consolide)}")
    now = {r["n"] for r in rows}
    merge(rows, sizes, data)
    report(rows, sizes, now)
    plot(rows, data)
    print(f"\nwritten: {data / 'peers.csv'}, {data / 'sizes.csv'}, {data / 'peers.png'}, {data / 'peers.svg'}")


if __name__ == "__main__":
    main()
