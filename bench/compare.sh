#!/usr/bin/env bash
# muslcheck's cache, and muslcheck against uv, side by side in one run, on the real ~790-pin requirements file.
#
#   bench/compare.sh [RUNS] [FILE] (default 5 runs, and Home Assistant's file; needs python3, network access
#                                  to the index, GNU time)
#
# FILE is any other pinned file, e.g. the pins of the shared lock files: bench/pins-from-locks.py > FILE.
#
# Per run, in this order (medians of wall time, CPU time (user + system) and peak RSS are printed at the end):
#   full/cold      muslcheck on the whole file, empty cache directory
#   full/warm      again, with the cache the cold run filled (fresh entries: nothing is asked)
#   full/refresh   again with --refresh: every entry revalidated (conditional requests where the index sent
#                  validators; a plain refetch where it did not)
#   full/offline   again with --offline
#   subset/…       the same four on the subset uv accepts, then
#   uv/cold        uv pip compile --no-deps --only-binary :all: for musl, empty uv cache
#   uv/warm        again, with the cache uv's cold run filled
#   uv/offline     again with --offline, from that cache
# and then the ratios of muslcheck's medians over uv's on the same lines (cold, and offline against uv's
# offline), with peak RSS.
# The subset is the lines muslcheck says install a wheel, less any uv still refuses (dropped one round at a
# time from uv's own error messages), so both tools answer the same question: which wheel would be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
# Home Assistant's requirements_all.txt from the shared corpus beside the checkout (third-party data, not kept
# in this repository), less its `-r requirements.txt` line, which names a file that is not there.
corpus=${2:-../shared/corpus/home-assistant-requirements-all.txt}
[ -f "$corpus" ] || { echo "needs $corpus (the shared corpus beside the checkout)" >&2; exit 2; }
mkdir -p target/bench
input=target/bench/compare-input.txt
grep -v '^-r ' "$corpus" > "$input"
source bench/lib.sh
# --no-deps: the same question uv answers here, one line at a time (the default resolves the tree pip installs).
flags=(--python 3.12 --arch x86_64 --no-dockerfile --no-deps --format json)
uv_flags=(pip compile --no-deps --only-binary :all: --python-platform x86_64-unknown-linux-musl
  --python-version 3.12 --no-header --quiet)

# The subset: muslcheck's `wheel` lines, then whatever uv still refuses is dropped.
subset=$work/subset.txt
"$bin" "$input" "${flags[@]}" --no-cache > "$work/full.json" || true
python3 - "$work/full.json" > "$subset" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
for p in report["packages"]:
    if all(v["outcome"] == "wheel" for v in p["targets"].values()):
        print(p["requirement"])
EOF
for round in 1 2 3 4 5 6 7 8 9 10; do
  if "$uv" "${uv_flags[@]}" --no-cache "$subset" > /dev/null 2> "$work/uv-error.txt"; then
    break
  fi
  # uv names the refused requirement as `name==version` (or `name`) in its first "Because …" line.
  refused=$(python3 - "$work/uv-error.txt" "$subset" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
lines = [l.strip() for l in open(sys.argv[2]) if l.strip()]
norm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
names = {norm(re.split(r"[=<>!~;\[ ]", l)[0]): l for l in lines}
for word in re.findall(r"\b([A-Za-z0-9][A-Za-z0-9._-]*)(?:==|\b)", text):
    if norm(word) in names:
        print(names[norm(word)])
        break
EOF
)
  if [ -z "$refused" ]; then
    echo "uv refuses the subset and its message names no line of it:" >&2
    cat "$work/uv-error.txt" >&2
    exit 1
  fi
  echo "uv refuses: $refused (dropped)"
  grep -vxF -- "$refused" "$subset" > "$subset.new" && mv "$subset.new" "$subset"
done
pins=$(grep -c '^[A-Za-z]' "$input")
echo "input: $input ($pins requirement lines); subset both tools accept: $(wc -l < "$subset") lines; runs: $runs"

for i in $(seq "$runs"); do
  echo "run $i"
  for set in full subset; do
    file=$input
    [ "$set" = subset ] && file=$subset
    cache=$(mktemp -d)
    measure "$set/cold" "$bin" "$file" "${flags[@]}" --cache-dir "$cache"
    measure "$set/warm" "$bin" "$file" "${flags[@]}" --cache-dir "$cache"
    measure "$set/refresh" "$bin" "$file" "${flags[@]}" --cache-dir "$cache" --refresh
    measure "$set/offline" "$bin" "$file" "${flags[@]}" --cache-dir "$cache" --offline
    rm -rf "$cache"
  done
  uv_cache=$(mktemp -d)
  measure uv/cold "$uv" "${uv_flags[@]}" --cache-dir "$uv_cache" "$subset"
  measure uv/warm "$uv" "${uv_flags[@]}" --cache-dir "$uv_cache" "$subset"
  measure uv/offline "$uv" "${uv_flags[@]}" --cache-dir "$uv_cache" --offline "$subset"
  rm -rf "$uv_cache"
done

medians "$runs" full/cold full/warm full/refresh full/offline subset/cold subset/warm subset/refresh \
  subset/offline uv/cold uv/warm uv/offline
ratios "$runs" "subset/cold uv/cold" "subset/warm uv/warm" "subset/offline uv/offline"
