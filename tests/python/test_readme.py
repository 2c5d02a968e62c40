"""The README's Python example ("From Python: pandas and Polars"), run as written in a folder
holding the two transfers it names: the crafted P44A and P59B of tests/data."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT


def test_the_readme_example_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("polars")
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## From Python: pandas and Polars", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 14
    shutil.copytree(ROOT / "tests" / "data" / "crafted", tmp_path / "transfers" / "plie44")
    shutil.copytree(ROOT / "tests" / "data" / "crafted-59", tmp_path / "transfers" / "plie59")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    # The status lists both PLIE; Tableau 1 and the cross-tab printed their lines.
    assert "P44A" in out and "P59B" in out
    assert "total" in out and "niveau" in out
