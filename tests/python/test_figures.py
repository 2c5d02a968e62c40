"""The package's tables against the real binary's csv on the same store: every published table
for two years and a range, cross-tabs with filters and secrecy, status; the crafted corpus
against its hand-counted figures; and the tables taken by pandas and Polars."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pyarrow as pa
import pytest

import consolide
from conftest import cli, csv_rows


def assert_same(table: pa.Table, text: str) -> int:
    """`table` holds exactly the csv `text`: the same header, rows and cells (an empty cell is
    a null; counts are integers; other figures equal to the csv's 7 significant digits).
    Returns the number of numbers compared."""
    rows = csv_rows(text)
    header, body = rows[0], rows[1:]
    assert table.column_names == header
    assert table.num_rows == len(body)
    columns = table.to_pydict()
    compared = 0
    for i, line in enumerate(body):
        for name, cell in zip(header, line):
            got = columns[name][i]
            kind = table.schema.field(name).type
            if pa.types.is_string(kind):
                assert got == cell, (name, i)
            elif cell == "":
                assert got is None, (name, i, got)
            elif pa.types.is_integer(kind):
                assert got == int(cell), (name, i)
                compared += 1
            else:
                assert pa.types.is_floating(kind)
                assert got == pytest.approx(float(cell), rel=1e-6, abs=1e-9), (name, i)
                compared += 1
    return compared


def period_args(year: Optional[int], years: Optional[tuple]) -> list:
    return ["--year", str(year)] if year is not None else ["--years", f"{years[0]}..{years[1]}"]


PERIODS = [(2017, None), (2016, None), (None, (2014, 2017))]


@pytest.mark.parametrize("code", consolide.TABLEAUX)
@pytest.mark.parametrize("year,years", PERIODS)
def test_every_table_equals_the_cli_csv(generated, code, year, years):
    run = cli(generated.path, "tableau", code, *period_args(year, years), "--format", "csv")
    if run.code != 0:
        # A table the engine refuses for this period is refused the same way.
        with pytest.raises(consolide.ConsolideError) as refused:
            generated.tableau(code, year=year, years=years)
        assert f"error: {refused.value}" in run.stderr
        return
    t = generated.tableau(code, year=year, years=years)
    assert assert_same(t, run.stdout) > 0
    assert t.schema.metadata[b"tableau"].decode() == code
    # `periodes` covers every ESF programming period begun by the last year, whatever asked.
    if code != "periodes":
        assert t.schema.metadata[b"period"].decode() == (
            str(year) if year else f"{years[0]}..{years[1]}"
        )


def regions(store: consolide.Store) -> list:
    return sorted(set(store.status().column("region").to_pylist()) - {"?"})


def test_tableau1_filtered_and_with_secrecy_equals_the_cli(generated):
    region = regions(generated)[0]
    plie = generated.plies()[0]
    for filters, secret in [
        ({"region": region, "sexe": "F"}, None),
        ({"plie": plie}, 11),
        ({"public": ["RSA", "DELD"], "qpv": "1"}, 5),
    ]:
        args = []
        for dim, values in filters.items():
            values = [values] if isinstance(values, str) else values
            args += ["--filter", f"{dim}=" + ",".join(values)]
        if secret:
            args += ["--secret", str(secret)]
        for code in ("1", "3", "4"):
            expected = cli(
                generated.path, "tableau", code, "--years", "2015..2017", *args, "--format", "csv"
            ).ok()
            t = generated.tableau(code, years="2015..2017", filters=filters, secret=secret)
            assert_same(t, expected)
            if secret:
                assert t.schema.metadata[b"secret"] == str(secret).encode()
    # The clause form of the filters is the same filter.
    a = generated.tableau("1", year=2017, filters=[f"region={region}", "sexe=F"])
    b = generated.tableau("1", year=2017, filters={"region": region, "sexe": "F"})
    assert a.equals(b)


CROSSTABS = [
    ("sorties_positives", "niveau", "tranche_age", 2017, None, None, None),
    ("taux_sorties_positives", "region", None, 2016, None, None, None),
    ("entrees", "annee_entree", "sexe", None, (2014, 2017), None, None),
    ("parcours_distincts", "plie", None, 2017, None, None, None),
    ("abandons", "public", "sexe", None, (2014, 2017), {"qpv": "1"}, 5),
    ("en_parcours", "motif_sortie", "age45", 2017, None, "region", 11),
    ("taux_abandons", "inactivite", "th", 2015, None, {"inscrit_pe": "1"}, None),
]


@pytest.mark.parametrize("measure,rows,cols,year,years,filters,secret", CROSSTABS)
def test_crosstabs_equal_the_cli_csv(generated, measure, rows, cols, year, years, filters, secret):
    if filters == "region":
        filters = {"region": regions(generated)[:2]}
    args = ["crosstab", "--measure", measure, "--rows", rows, *period_args(year, years)]
    if cols:
        args += ["--cols", cols]
    for dim, values in (filters or {}).items():
        values = [values] if isinstance(values, str) else values
        args += ["--filter", f"{dim}=" + ",".join(values)]
    if secret:
        args += ["--secret", str(secret)]
    expected = cli(generated.path, *args, "--format", "csv").ok()
    x = generated.crosstab(
        measure, rows=rows, cols=cols, year=year, years=years, filters=filters, secret=secret
    )
    assert assert_same(x, expected) > 0
    kind = x.schema.field(measure).type
    assert pa.types.is_floating(kind) if measure.startswith("taux") else pa.types.is_int64(kind)


WINDOW = ["extraction", "complet_depuis"]
DEDUITE = ["extraction_deduite", "complet_depuis_deduite"]


def window_cell(day: Optional[dt.date], deduite: Optional[bool]) -> str:
    """A bound of the observation window as the csv of ``consolide status`` writes it."""
    if day is None:
        assert deduite is None
        return "-"
    return day.isoformat() + (" (deduite)" if deduite else "")


def assert_status_as_the_cli(store: consolide.Store) -> list:
    """`store.status()` says what ``consolide status --format csv`` says; returns its rows."""
    rows = csv_rows(cli(store.path, "status", "--format", "csv").ok())
    header, body = rows[0], rows[1:]
    s = store.status()
    # The csv's columns, then whether each bound of the window was derived (its "(deduite)").
    assert s.column_names == header + DEDUITE
    assert header[-2:] == WINDOW
    for name in WINDOW:
        assert s.schema.field(name).type == pa.date32()
    for name in DEDUITE:
        assert s.schema.field(name).type == pa.bool_()
    assert s.num_rows == len(body)
    got = s.to_pylist()
    for mine, line in zip(got, body):
        cells = dict(zip(header, line))
        for key in ("plie", "departement", "region", "annees", "content_hash"):
            assert mine[key] == cells[key]
        assert (mine["parcours"], mine["etapes"]) == (int(cells["parcours"]), int(cells["etapes"]))
        at = dt.datetime.fromisoformat(cells["imported_at"].replace("Z", "+00:00"))
        assert mine["imported_at"] == at
        for name, deduite in zip(WINDOW, DEDUITE):
            assert window_cell(mine[name], mine[deduite]) == cells[name], (mine["plie"], name)
    size = int(s.schema.metadata[b"file_size"])
    assert size == generated_size(store)
    return got


def test_status_lists_the_plie_as_the_cli(generated):
    got = assert_status_as_the_cli(generated)
    assert len(got) > 100
    # A generated transfer sends its window in plie.csv: nothing derived.
    assert all(p["extraction"] and p["complet_depuis"] for p in got)
    assert not any(p["extraction_deduite"] or p["complet_depuis_deduite"] for p in got)
    assert all(p["complet_depuis"] < p["extraction"] for p in got)


def test_status_gives_the_window_derived_where_plie_csv_sent_none(crafted):
    got = assert_status_as_the_cli(crafted)
    # The crafted plie.csv sends no window: it runs from 1 January of the earliest entry year to
    # the latest date of the PLIE's parcours.
    p44a = next(p for p in got if p["plie"] == "P44A")
    assert p44a["extraction_deduite"] and p44a["complet_depuis_deduite"]
    assert p44a["complet_depuis"].month == p44a["complet_depuis"].day == 1
    assert p44a["extraction"] >= dt.date(2017, 12, 31)


def generated_size(store: consolide.Store) -> int:
    import os

    return os.path.getsize(store.path)


# The crafted corpus: the figures of tests/it/end_to_end.rs, counted by hand.
TABLEAU1_COLUMNS = [
    "entrees",
    "en_parcours",
    "report",
    "sorties_positives",
    "sorties_emploi",
    "sorties_formation",
    "sorties_sans_suite",
    "abandons",
    "demenagements_deces_retraites",
    "autres_sans_suite",
]


def line(t: pa.Table, group: str, row: str) -> list:
    for r in t.to_pylist():
        if (r["group"], r["row"]) == (group, row):
            return [r[c] for c in TABLEAU1_COLUMNS]
    raise AssertionError(f"no line {group},{row}")


def test_the_crafted_corpus_gives_its_hand_counted_figures(crafted):
    t1 = crafted.tableau(1, year=2017)
    assert t1.num_rows == 33
    assert t1.schema.metadata[b"plie"] == b"2"
    assert line(t1, "total", "total") == [9, 22, 13, 8, 4, 3, 5, 3, 1, 1]
    assert line(t1, "sexe", "F") == [5, 12, 7, 4, 2, 1, 2, 1, 1, 0]
    assert line(t1, "tranche_age", "65+") == [0, 2, 2, 1, 1, 0, 1, 0, 1, 0]
    # 8 positive exits of 13: the rate as a fraction.
    total = t1.filter(pa.compute.equal(t1["group"], "total"))
    assert total["taux_sortie_positive"][0].as_py() == pytest.approx(8 / 13)
    # P44A women in 2017: a03 a10 a15 enter; a01 a05 a08 carried over; a03 F, a15 E, a08 DDR exit.
    women = crafted.tableau("1", year=2017, filters={"plie": "P44A", "sexe": "F"})
    assert line(women, "total", "total") == [3, 6, 3, 2, 1, 1, 1, 0, 1, 0]
    # P59B in 2017: positive b04 b08 b10 b12, without follow-up b02 b06 b11.
    x = crafted.crosstab(
        "taux_sorties_positives", rows="departement", year=2017, filters={"region": "Hauts-de-France"}
    )
    assert x.column_names == ["departement", "taux_sorties_positives"]
    assert x.to_pylist() == [{"departement": "59", "taux_sorties_positives": pytest.approx(4 / 7)}]
    # And the binary says the same of the same store.
    assert_same(t1, cli(crafted.path, "tableau", "1", "--year", "2017", "--format", "csv").ok())
    assert [p for p in crafted.plies()] == ["P44A", "P59B"]


def test_reimporting_the_same_content_changes_nothing(crafted, tmp_path):
    from conftest import ROOT

    summary = crafted.import_transfers(ROOT / "tests" / "data" / "crafted")
    assert [(p["plie"], p["outcome"]) for p in summary["plies"]] == [("P44A", "unchanged")]


def test_pandas_and_polars_take_the_tables(generated):
    pl = pytest.importorskip("polars")
    t = generated.tableau("1", years=(2014, 2017))
    df = t.to_pandas()
    assert list(df.columns) == t.column_names
    assert df.loc[0, "entrees"] == t["entrees"][0].as_py()
    frame = pl.from_arrow(t)
    assert frame.columns == t.column_names
    assert frame["entrees"].to_list() == t["entrees"].to_pylist()
    assert frame.schema["entrees"] == pl.Int64
    # Polars reads the PyCapsule interface directly too.
    x = generated.crosstab("sorties", rows="sexe", cols="public", year=2017)
    assert pl.DataFrame(x).shape == (6, 3)
    assert pl.DataFrame(x)["sorties"].sum() == sum(x["sorties"].to_pylist())
