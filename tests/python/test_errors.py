"""Every error path through the package, each against what the real binary says of the same
input: a refused transfer (every positioned error), an unreadable folder, unknown tables,
measures, dimensions and values, bad periods and secrecy, a missing, foreign, damaged or busy
store, an export into an occupied folder."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

import consolide
from conftest import ROOT, cli


def cli_errors(stderr: str) -> list:
    return [l[len("error: ") :] for l in stderr.splitlines() if l.startswith("error: ")]


@pytest.fixture
def bad_transfer(tmp_path) -> Path:
    """The crafted P44A with three broken rules in parcours.csv (an exit before the entry and
    an unknown sexe on line 3, an unknown niveau on line 4), which also refuse the étape of
    line 3's parcours."""
    folder = tmp_path / "bad"
    shutil.copytree(ROOT / "tests" / "data" / "crafted", folder)
    lines = (folder / "parcours.csv").read_text().split("\n")
    assert lines[2].startswith("P44A,a02,2015-06-15,2016-12-31,EMPLOI,H,")
    lines[2] = lines[2].replace("2016-12-31,EMPLOI,H", "2014-12-31,EMPLOI,X")
    assert ",VBIS," in lines[3]
    lines[3] = lines[3].replace(",VBIS,", ",ZZ,")
    (folder / "parcours.csv").write_text("\n".join(lines))
    return folder


def test_a_refused_transfer_raises_every_positioned_error(tmp_path, bad_transfer):
    run = cli(tmp_path / "cli.redb", "import", str(bad_transfer))
    assert run.code == 1
    store = consolide.Store(tmp_path / "py.redb")
    with pytest.raises(consolide.ImportRefused) as refused:
        store.import_transfers([bad_transfer])
    e = refused.value
    assert isinstance(e, consolide.TransferError) and isinstance(e, consolide.ConsolideError)
    expected = cli_errors(run.stderr)
    # Every line the binary prints, in order, the last one the exception's first line.
    assert [i.text for i in e.errors] == expected[:-1]
    assert str(e).split("\n")[0] == expected[-1] == (
        "the import was refused (6 errors); nothing was written"
    )
    assert e.conflicts == []
    first, sexe, niveau = e.errors[:3]
    assert (first.file, first.line, first.column, first.field, first.value) == (
        "parcours.csv",
        3,
        4,
        "sortie",
        "2014-12-31",
    )
    assert first.rule == "the exit date is on or after the entry date"
    assert first.rule_name and first.message in first.text
    assert (sexe.line, sexe.column, sexe.field, sexe.value) == (3, 6, "sexe", "X")
    assert (niveau.line, niveau.column, niveau.field, niveau.value) == (4, 11, "niveau", "ZZ")
    assert {i.file for i in e.errors[3:]} == {"etapes.csv"}
    # Nothing was written: the store was not even created.
    with pytest.raises(consolide.StoreNotFound):
        store.status()


def test_rejects_import_the_valid_rows_and_list_the_refused(tmp_path, bad_transfer):
    store = consolide.Store(tmp_path / "py.redb")
    summary = store.import_transfers(
        [bad_transfer], rejects=tmp_path / "rejets", max_rejected=0.5
    )
    assert summary["written"]
    assert [(p["plie"], p["parcours"]) for p in summary["plies"]] == [("P44A", 15)]
    assert [(i.file, i.line) for i in summary["rejected"][:3]] == [
        ("parcours.csv", 3),
        ("parcours.csv", 3),
        ("parcours.csv", 4),
    ]
    assert summary["rejects_written"]
    assert all(Path(p).exists() for p in summary["rejects_written"])


def test_a_dry_run_writes_nothing(tmp_path):
    store = consolide.Store(tmp_path / "py.redb")
    summary = store.import_transfers(ROOT / "tests" / "data" / "crafted", dry_run=True)
    assert not summary["written"]
    assert not (tmp_path / "py.redb").exists()


def test_an_unreadable_folder_is_a_transfer_error(tmp_path):
    run = cli(tmp_path / "cli.redb", "import", str(tmp_path / "absent"))
    assert run.code == 1
    with pytest.raises(consolide.TransferError) as e:
        consolide.Store(tmp_path / "py.redb").import_transfers(tmp_path / "absent")
    assert not isinstance(e.value, consolide.ImportRefused)
    assert cli_errors(run.stderr) == [str(e.value)]


@pytest.mark.parametrize(
    "call,args",
    [
        (lambda s: s.tableau("11", year=2017), ["tableau", "11", "--year", "2017"]),
        (
            lambda s: s.crosstab("entrees", rows="nope", year=2017),
            ["crosstab", "--measure", "entrees", "--rows", "nope", "--year", "2017"],
        ),
        (
            lambda s: s.crosstab("sorties", rows="sexe", cols="sexe", year=2017),
            ["crosstab", "--measure", "sorties", "--rows", "sexe", "--cols", "sexe", "--year", "2017"],
        ),
        (
            lambda s: s.crosstab("nope", rows="sexe", year=2017),
            ["crosstab", "--measure", "nope", "--rows", "sexe", "--year", "2017"],
        ),
        (
            lambda s: s.tableau("1", year=2017, filters={"sexe": "Z"}),
            ["tableau", "1", "--year", "2017", "--filter", "sexe=Z"],
        ),
        (
            lambda s: s.crosstab("entrees", rows="nivaeu", year=2017),
            ["crosstab", "--measure", "entrees", "--rows", "nivaeu", "--year", "2017"],
        ),
        (
            lambda s: s.tableau("1", year=2017, filters={"region": "Hauts-de-Franc"}),
            ["tableau", "1", "--year", "2017", "--filter", "region=Hauts-de-Franc"],
        ),
        (
            lambda s: s.tableau("1", year=2017, filters={"couleur": "bleu"}),
            ["tableau", "1", "--year", "2017", "--filter", "couleur=bleu"],
        ),
        (
            lambda s: s.tableau("1", years="2017..2014"),
            ["tableau", "1", "--years", "2017..2014"],
        ),
        (
            lambda s: s.tableau("1", year=2017, secret=1),
            ["tableau", "1", "--year", "2017", "--secret", "1"],
        ),
        (
            lambda s: s.crosstab("entrees", rows="sexe", year=2017, filters={"plie": "P00"}),
            ["crosstab", "--measure", "entrees", "--rows", "sexe", "--year", "2017", "--filter", "plie=P00"],
        ),
    ],
)
def test_a_refused_query_is_a_query_error_saying_what_the_cli_says(crafted, call, args):
    run = cli(crafted.path, *args, "--format", "csv")
    assert run.code == 1, run
    with pytest.raises(consolide.QueryError) as e:
        call(crafted)
    assert isinstance(e.value, ValueError)
    # The binary also takes `tableau all` (every table in one document); a Store's tableau is
    # one table.
    assert [l.replace(", periodes, all", ", periodes") for l in cli_errors(run.stderr)] == [
        str(e.value)
    ]


@pytest.mark.parametrize(
    "call,suggestion",
    [
        (lambda s: s.crosstab("entrees", rows="nivaeu", year=2017), "niveau"),
        (lambda s: s.crosstab("sortie_positives", rows="sexe", year=2017), "sorties_positives"),
        (lambda s: s.tableau("1", year=2017, filters={"regon": "Bretagne"}), "region"),
        (lambda s: s.tableau("1", year=2017, filters={"region": "hauts de franc"}), "Hauts-de-France"),
        (lambda s: s.tableau("1", year=2017, filters={"couleur": "bleu"}), None),
        # One letter from both H and F: no guess.
        (lambda s: s.tableau("1", year=2017, filters={"sexe": "Z"}), None),
        (lambda s: s.tableau("1", years="2017..2014"), None),
    ],
)
def test_a_near_miss_carries_its_suggestion(crafted, call, suggestion):
    with pytest.raises(consolide.QueryError) as e:
        call(crafted)
    assert e.value.suggestion == suggestion
    assert ("did you mean" in str(e.value)) == (suggestion is not None)
    if suggestion:
        assert f'did you mean "{suggestion}"? valid ' in str(e.value)


def test_a_period_must_be_given_once(crafted):
    with pytest.raises(consolide.QueryError):
        crafted.tableau("1")
    with pytest.raises(consolide.QueryError):
        crafted.tableau("1", year=2017, years=(2014, 2017))


def storage_error(store: consolide.Store, cls) -> None:
    """A query and status on `store` raise `cls` with the binary's message (exit 3)."""
    run = cli(store.path, "tableau", "1", "--year", "2017", "--format", "csv")
    assert run.code == 3, run
    with pytest.raises(cls) as e:
        store.tableau("1", year=2017)
    assert isinstance(e.value, consolide.StoreError) and isinstance(e.value, OSError)
    assert cli_errors(run.stderr) == [str(e.value)]
    with pytest.raises(cls):
        store.status()
    with pytest.raises(cls):
        store.crosstab("entrees", rows="sexe", year=2017)


def test_a_missing_store(tmp_path):
    storage_error(consolide.Store(tmp_path / "absent.redb"), consolide.StoreNotFound)


def test_a_file_that_is_not_a_store(tmp_path):
    path = tmp_path / "notes.redb"
    path.write_bytes(b"these are not the parcours you are looking for\n" * 100)
    storage_error(consolide.Store(path), consolide.StoreCorrupt)


def test_a_damaged_store(tmp_path, crafted):
    path = tmp_path / "damaged.redb"
    data = bytearray(Path(crafted.path).read_bytes())
    # Its header overwritten: redb's magic number and the engine's meta table are gone.
    data[:4096] = bytes(4096)
    path.write_bytes(bytes(data))
    storage_error(consolide.Store(path), consolide.StoreCorrupt)


def changed_transfer(folder: Path, source: str, old: str, new: str) -> Path:
    """A copy of tests/data/`source` with `old` replaced by `new` in parcours.csv: the
    same PLIE, other content, so that importing it must write."""
    shutil.copytree(ROOT / "tests" / "data" / source, folder)
    parcours = folder / "parcours.csv"
    text = parcours.read_text(encoding="utf-8-sig")
    assert text.count(old) == 1, old
    parcours.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_a_store_held_by_a_writer_is_busy_and_a_reader_holds_off_an_import(tmp_path, crafted):
    path = tmp_path / "held.redb"
    shutil.copy(crafted.path, path)
    store = consolide.Store(path)
    # An import holds the file with redb's exclusive lock, as this does.
    with open(path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        storage_error(store, consolide.StoreBusy)
        fcntl.flock(held, fcntl.LOCK_UN)
    assert store.tableau("1", year=2017).num_rows == 33
    # An import of unchanged content only reads, so a reader beside it does not stop it; one
    # that changes a PLIE must write, and a reader's shared lock holds it off (p44a: one
    # parcours's niveau changed).
    a01 = "P44A,a01,2016-01-01,,,F,1990-01,RSA,1,0,"
    p44a = changed_transfer(tmp_path / "p44a", "crafted", a01 + "V,", a01 + "IV,")
    before = store.status()
    with open(path, "rb") as reading:
        fcntl.flock(reading, fcntl.LOCK_SH | fcntl.LOCK_NB)
        unchanged = store.import_transfers(ROOT / "tests" / "data" / "crafted")
        assert [(p["plie"], p["outcome"]) for p in unchanged["plies"]] == [("P44A", "unchanged")]
        run = cli(path, "import", str(p44a))
        assert run.code == 3, run
        with pytest.raises(consolide.StoreBusy) as e:
            store.import_transfers(p44a)
        assert "busy" in str(e.value)
        assert cli_errors(run.stderr) == [str(e.value)]
    # Nothing was written, and once the reader is gone the same import goes through.
    assert store.status().equals(before)
    done = store.import_transfers(p44a)
    assert [(p["plie"], p["outcome"]) for p in done["plies"]] == [("P44A", "replaced")]


def test_an_export_into_an_occupied_folder_is_refused(tmp_path, crafted):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "old.parquet").write_text("an earlier export")
    with pytest.raises(consolide.ExportError) as e:
        crafted.export_parquet(folder)
    assert "is not empty" in str(e.value)
    written = crafted.export_parquet(tmp_path / "fresh")
    assert (written["plies"], written["parcours"]) == (2, 31)
