#!/usr/bin/env bash
# The SQL of sql/ against the engine, on the same data: generates a small corpus (scale 0.2, or
# $CONSOLIDE_CHECK_SCALE for a benchmark), exports it as Parquet, runs sql/ in DuckDB and checks
# that every figure of Tableau 1 (2016, 2017, 2014..2017), its mean inactivity and PLIE count, a
# filtered cross-tab, and Tableau 6 (2017, 2014..2017, every amount to the cent) equal the
# engine's. DuckDB comes from the Python registry into target/venv-sql (reused); where it cannot
# be installed the check says so and is skipped (exit 0), except in CI (CI set), where that is a
# failure (exit 1, see tests/ci-skip.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/ci-skip.sh
venv=target/venv-sql
if ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
    command -v python3 >/dev/null || skip "sql check" "no python3 on this machine"
    python3 -m venv "$venv" || skip "sql check" "python3 cannot create a virtual environment"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 1 --timeout 30 \
        -r tests/sql/requirements.txt ||
        skip "sql check" "duckdb could not be installed from the Python registry"
fi
bin=${CARGO_TARGET_DIR:-target}/release/consolide
[ -x "$bin" ] || cargo build --release --quiet --bin consolide
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --db "$work/store.redb" --scale "${CONSOLIDE_CHECK_SCALE:-0.2}" >/dev/null
"$bin" --db "$work/store.redb" export --parquet "$work/export" >/dev/null
"$venv/bin/python" tests/sql/check.py "$bin" "$work/store.redb" "$work/export" sql
