#!/usr/bin/env bash
# The HTML report in a real browser (headless Chromium): generates a small synthetic store, writes
# its report, opens it offline and checks that the page logs nothing on the console, raises no
# error, fetches no resource, and that every chart has a non-zero size; then saves a screenshot.
#
# Chromium is Debian's `chromium` package: installed with apt-get when missing and this runs as
# root; where it cannot be had, the test says so and is skipped (exit 0), except in CI (CI set),
# where that is a failure (exit 1, see tests/ci-skip.sh).
#
#   tests/browser/report.sh [SCREENSHOT.png]     (default target/browser/report.png)
# REPORT_SCALE sets the corpus size (default 0.05; 1 is the demo store's).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/ci-skip.sh
shot=${1:-target/browser/report.png}
scale=${REPORT_SCALE:-0.05}

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "browser test: chromium missing, installing Debian's chromium package"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
            || [ ! -x "$chromium" ]; then
            skip "browser test" "chromium unavailable: apt-get could not install it"
        fi
    else
        skip "browser test" "chromium unavailable: it is not installed, and installing it needs root and apt-get"
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin consolide
bin=${CARGO_TARGET_DIR:-target}/release/consolide
"$bin" --db "$work/store.redb" generate --scale "$scale" >/dev/null
"$bin" --db "$work/store.redb" report --year 2017 --out "$work/report.html"

# The report has no script; the copy the check opens gets one, first in <head> so that it hears
# every error, which writes its findings into the page once loaded (read back with --dump-dom).
check='<script>
var problems = [];
addEventListener("error", function (e) {
  problems.push(e.message || ("resource failed: " + (e.target.src || e.target.href)));
}, true);
addEventListener("load", function () {
  var charts = document.querySelectorAll("svg"), empty = 0;
  charts.forEach(function (s) {
    var r = s.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) empty++;
  });
  var fetched = performance.getEntriesByType("resource").length;
  var out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = "CHECK charts=" + charts.length + " empty=" + empty + " errors=" +
    problems.length + " fetched=" + fetched + " " + problems.join(" | ");
  document.body.appendChild(out);
});
</script>'
python3 - "$work/report.html" "$work/check.html" "$check" <<'EOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
assert "<script" not in page, "the report must have no script of its own"
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("<head>", "<head>\n" + sys.argv[3], 1))
EOF

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --enable-logging=stderr --v=0 --virtual-time-budget=10000)
run() { timeout 180 "$chromium" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" "$@"; }

run --dump-dom "file://$work/check.html" >"$work/dom.html" 2>"$work/console.log" || true
result=$(grep -o '<pre id="browser-check">CHECK [^<]*' "$work/dom.html" | sed 's/.*>//' || true)
echo "browser test: ${result:-no result}"
status=0
if [[ ! "$result" =~ charts=([0-9]+)\ empty=0\ errors=0\ fetched=0 ]] || [ "${BASH_REMATCH[1]}" -lt 12 ]; then
    echo "FAIL: expected at least 12 charts, none empty, no error and nothing fetched"
    status=1
fi
if grep -E 'CONSOLE|Uncaught' "$work/console.log"; then
    echo "FAIL: the page wrote to the console"
    status=1
fi

# Print on A4: the page's print rules applied on screen to a body as wide as an A4 page's
# printable width (210 mm less the 12 mm margins), and every table measured: none may be wider
# than its page (273 mm for the tables printed on a landscape page, `.large`).
a4='<script>
addEventListener("load", function () {
  var mm = function (n) {
    var d = document.createElement("div");
    d.style.width = n + "mm";
    document.body.appendChild(d);
    var w = d.getBoundingClientRect().width;
    d.remove();
    return w;
  };
  var upright = mm(186), landscape = mm(273), wide = [], tables = 0;
  document.querySelectorAll("table").forEach(function (t) {
    tables++;
    var room = t.closest(".large") ? landscape : upright;
    var w = t.getBoundingClientRect().width;
    if (w > room + 0.5) {
      var c = t.querySelector("caption");
      wide.push((c ? c.textContent.slice(0, 50) : "a table") + ": " + Math.round(w) + " px for " + Math.round(room));
    }
  });
  var out = document.createElement("pre");
  out.id = "a4-check";
  out.textContent = "A4 tables=" + tables + " wide=" + wide.length + " " + wide.join(" | ");
  document.body.appendChild(out);
});
</script>'
python3 - "$work/report.html" "$work/a4.html" "$a4" <<'EOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
assert "@media print {" in page, "the report has a print stylesheet"
page = page.replace("@media print {", "@media all {", 1)
page = page.replace("</style>", "body { width: 186mm !important; max-width: none !important; margin: 0 !important; padding: 0 !important; }\n</style>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("<head>", "<head>\n" + sys.argv[3], 1))
EOF
run --dump-dom "file://$work/a4.html" >"$work/a4-dom.html" 2>/dev/null || true
printed=$(grep -o '<pre id="a4-check">A4 [^<]*' "$work/a4-dom.html" | sed 's/.*>//' || true)
echo "browser test (print): ${printed:-no result}"
if [[ ! "$printed" =~ tables=([0-9]+)\ wide=0 ]] || [ "${BASH_REMATCH[1]}" -lt 15 ]; then
    echo "FAIL: expected at least 15 tables, none wider than its A4 page in print"
    status=1
fi

mkdir -p "$(dirname "$shot")"
run --screenshot="$work/shot.png" --window-size=1280,2400 --hide-scrollbars \
    "file://$work/report.html" >/dev/null 2>&1 || true
if [ -s "$work/shot.png" ]; then
    cp "$work/shot.png" "$shot"
    echo "browser test: screenshot saved to $shot"
else
    echo "FAIL: no screenshot"
    status=1
fi
[ "$status" = 0 ] && echo "browser: 1 passed, 0 failed" || echo "browser: 0 passed, 1 failed"
exit "$status"
