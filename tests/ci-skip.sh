# Sourced by the checks of .ci/run that need a tool the machine may not have (Chromium, DuckDB;
# the Python and Spark checks to come): `skip CHECK REASON` ends the check. Outside CI the check
# is skipped, saying so (exit 0). In CI (the variable CI set and not empty: CI runs `.ci/run` with
# CI=true) a skip is a failure (exit 1), so that a green CI has run every check.
skip() {
    if [ -n "${CI:-}" ]; then
        echo "FAIL: $1 cannot run: $2" >&2
        echo "FAIL: $1 may not be skipped in CI (CI=$CI); provide what it needs, or run it without CI set to skip it" >&2
        exit 1
    fi
    echo "$1 skipped: $2"
    exit 0
}
