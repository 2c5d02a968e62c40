"""Fixtures of the Python package's tests: the real `consolide` binary (CONSOLIDE_BIN, else
target/release/consolide) and real stores made from real transfer folders on disk: a generated
corpus (`consolide generate --out`) and the crafted one of tests/data, each imported through the
Python package."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest

import consolide

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("CONSOLIDE_BIN", ROOT / "target" / "release" / "consolide"))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def ok(self) -> str:
        assert self.code == 0, self.stderr
        return self.stdout


def cli(db: Path, *args: str) -> Run:
    """The real binary on store `db`."""
    done = subprocess.run(
        [str(BIN), "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "CONSOLIDE_DB"},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def csv_rows(text: str) -> List[List[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> consolide.Store:
    """A generated national corpus (scale 0.05, seed 5) written as a transfer folder by the
    binary, imported through the package."""
    base = tmp_path_factory.mktemp("generated")
    transfer = base / "transfer"
    done = subprocess.run(
        [str(BIN), "generate", "--out", str(transfer), "--scale", "0.05", "--seed", "5"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    store = consolide.Store(base / "store.redb")
    summary = store.import_transfers([transfer])
    assert summary["written"] and summary["rejected"] == []
    return store


@pytest.fixture(scope="session")
def crafted(tmp_path_factory) -> consolide.Store:
    """tests/data/crafted (P44A) and crafted-59 (P59B): 31 parcours whose Tableau 1 for 2017
    was counted by hand (tests/it/end_to_end.rs)."""
    base = tmp_path_factory.mktemp("crafted")
    folders = []
    for name in ("crafted", "crafted-59"):
        shutil.copytree(ROOT / "tests" / "data" / name, base / name)
        folders.append(base / name)
    store = consolide.Store(base / "store.redb")
    summary = store.import_transfers(folders)
    assert [(p["plie"], p["outcome"]) for p in summary["plies"]] == [
        ("P44A", "new"),
        ("P59B", "new"),
    ]
    return store
