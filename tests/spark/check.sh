#!/usr/bin/env bash
# The SQL of sql/ in Apache Spark (local mode) against the engine, on the same data: generates a
# small corpus (scale 0.2, or $CONSOLIDE_CHECK_SCALE for a benchmark), exports it as Parquet, runs
# sql/ in Spark and checks every figure of Tableau 1 (2016, 2017, 2014..2017), a filtered cross-tab
# and Tableau 6 (2017, 2014..2017) against the engine's (tests/spark/check.py, over the checks of
# tests/sql/check.py), printing the time each side took. Java comes from Debian's packages
# (apt-get, when `java` is missing), pyspark from the Python registry into target/venv-spark
# (reused). Where either cannot be installed the check says so and is skipped (exit 0), except in
# CI (CI set), where that is a failure (exit 1, see tests/ci-skip.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/ci-skip.sh
if ! command -v java >/dev/null; then
    command -v apt-get >/dev/null || skip "spark check" "no java, and no apt-get to install it"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless; } >/dev/null 2>&1 ||
        skip "spark check" "java (default-jre-headless) could not be installed from Debian's packages"
fi
venv=${CONSOLIDE_SPARK_VENV:-target/venv-spark}   # another, to try a fresh install
if ! "$venv/bin/python" -c "import pyspark" 2>/dev/null; then
    command -v python3 >/dev/null || skip "spark check" "no python3 on this machine"
    python3 -m venv "$venv" || skip "spark check" "python3 cannot create a virtual environment"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 1 --timeout 60 \
        -r tests/spark/requirements.txt ||
        skip "spark check" "pyspark could not be installed from the Python registry"
fi
bin=${CARGO_TARGET_DIR:-target}/release/consolide
cargo build --release --quiet --bin consolide
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --db "$work/store.redb" --scale "${CONSOLIDE_CHECK_SCALE:-0.2}" >/dev/null
"$bin" --db "$work/store.redb" export --parquet "$work/export" >/dev/null
"$venv/bin/python" tests/spark/check.py "$bin" "$work/store.redb" "$work/export" sql
