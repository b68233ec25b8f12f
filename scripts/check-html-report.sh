#!/usr/bin/env bash
# Opens an HTML report in a real headless browser (Debian's chromium) and fails unless it renders: the DOM
# the browser built holds the report's text, and the screenshot exists and is not blank. The network is cut
# off for the browser (every host name resolves to nothing), so a page that needed anything from outside
# would show it.
#
#   scripts/check-html-report.sh [REPORT.html] [SCREENSHOT.png]
#
# Default report: the HTML in tests/snapshots/matrix.html.snap, the real output of a run against the local
# test index (tests/report_formats.rs keeps it current with insta; the report follows the snapshot's `---`
# header). Installs chromium with apt-get when it is missing (CI runs as root on a fresh Debian machine).
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  report="$1"
else
  report="$work/matrix.html"
  awk 'body { print; next } /^---$/ { if (++rules == 2) body = 1 }' tests/snapshots/matrix.html.snap >"$report"
fi
screenshot="${2:-$work/report.png}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is missing: installing Debian's package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    if [ -n "${CI:-}" ]; then
      echo "error: chromium could not be installed" >&2
      exit 1
    fi
    echo "chromium could not be installed (not root?): browser check skipped"
    exit 0
  fi
fi

url="file://$(realpath "$report")"
browser=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
  --disable-background-networking --disable-extensions --host-resolver-rules="MAP * ~NOTFOUND"
  --user-data-dir="$work/profile" --hide-scrollbars)

echo "== chromium --dump-dom $report"
"${browser[@]}" --dump-dom "$url" >"$work/dom.html" 2>"$work/dump.log" || {
  cat "$work/dump.log" >&2
  exit 1
}
missing=0
for expected in "muslcheck report" "Outcomes per target" 'class="bar"' "Problems" "torch" \
  "no sdist and no musllinux wheel" "All requirements" "cp312-musllinux_1_2_aarch64"; do
  if ! grep -qF -- "$expected" "$work/dom.html"; then
    echo "error: the rendered DOM lacks: $expected" >&2
    missing=1
  fi
done
if grep -qi "<script" "$work/dom.html"; then
  echo "error: the rendered DOM holds a script" >&2
  missing=1
fi
[ "$missing" = 0 ] || exit 1
echo "DOM: $(wc -c <"$work/dom.html") bytes, every expected text present"

echo "== chromium --screenshot"
"${browser[@]}" --window-size=1280,1600 --screenshot="$screenshot" "$url" >"$work/shot.log" 2>&1 || {
  cat "$work/shot.log" >&2
  exit 1
}
# A blank page compresses to a few hundred bytes; the report, with its text and bars, to tens of kilobytes.
size=$(stat -c %s "$screenshot" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then
  echo "error: screenshot $screenshot is missing or blank ($size bytes)" >&2
  exit 1
fi
if [ "$(head -c 8 "$screenshot" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  echo "error: $screenshot is not a PNG" >&2
  exit 1
fi
echo "screenshot: $screenshot, $size bytes"
