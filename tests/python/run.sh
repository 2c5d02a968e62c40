#!/usr/bin/env bash
# The Python package (python/) as a user gets it: makes a virtual environment in target/venv-python
# (reused), installs maturin, pytest, pyarrow, polars and pandas from the Python registry, builds
# and installs the package with `pip install ./python` (maturin, pyo3), then runs the pytest suite
# of tests/python against the real `consolide` binary on real stores. Where the registry cannot be
# reached the check says so and is skipped (exit 0), except in CI (CI set), where that is a
# failure (exit 1, see tests/ci-skip.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/ci-skip.sh
root=$PWD
venv=${CONSOLIDE_PYTHON_VENV:-target/venv-python}   # another, to try a fresh install
case $venv in /*) ;; *) venv=$root/$venv ;; esac
if ! "$venv/bin/python" -c "import maturin, pytest, pyarrow, polars, pandas" 2>/dev/null; then
    command -v python3 >/dev/null || skip "python check" "no python3 on this machine"
    python3 -m venv "$venv" || skip "python check" "python3 cannot create a virtual environment"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 1 --timeout 30 \
        -r tests/python/requirements.txt ||
        skip "python check" "maturin, pytest, pyarrow or polars could not be installed from the Python registry"
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$root/$CARGO_TARGET_DIR ;; esac
bin=$CARGO_TARGET_DIR/release/consolide
cargo build --release --quiet --bin consolide
# The user's command, with the venv's maturin. The build shares target/ and the release profile
# with the root crate: the crates pyo3 does not change are not built again (those whose features
# it widens are, once). The package is its own Cargo package (python/Cargo.toml), never part of
# the root's build.
export PATH="$venv/bin:$PATH"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall \
    --no-deps ./python
export CONSOLIDE_BIN=$bin
# Run from the tests' folder, not the repository, so that `import consolide` is the installed
# package and not the python/ sources.
cd tests/python
"$venv/bin/python" -m pytest -q -p no:cacheprovider .
