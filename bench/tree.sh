#!/usr/bin/env bash
# The dependency tree of a file with blockers (bench/rag-service.txt: about 250 projects, five top-level
# requirements that cannot install on Alpine), cold and from the cache, on 1 and on 6 targets; and uv resolving
# the same file without its failing top-level requirements, which is the tree pip installs.
#
#   bench/tree.sh [RUNS]           (default 5; needs python3, network access to the index, GNU time)
#
# Per run, in this order (medians of wall time, CPU time and peak RSS are printed at the end):
#   1-target/cold      muslcheck, CPython 3.12 x86_64, empty cache directory
#   6-targets/cold     muslcheck, CPython 3.11, 3.12 and 3.13 on x86_64 and aarch64, empty cache directory
#   1-target/cached    the first again, --offline, from the cache the 6-target run filled
#   6-targets/cached   the second again, --offline, from that cache
#   installable/cold   muslcheck, 1 target, cold, on the file less its failing top-level requirements
#   uv/cold            uv pip compile --python-platform x86_64-unknown-linux-musl --python-version 3.12 on
#                      that file, empty uv cache
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
input=bench/rag-service.txt
source bench/lib.sh
one=(--python 3.12 --arch x86_64 --no-dockerfile --format json)
six=(--python 3.11,3.12,3.13 --arch x86_64,aarch64 --no-dockerfile --format json)
uv_flags=(pip compile --python-platform x86_64-unknown-linux-musl --python-version 3.12 --no-header --quiet)

# The file pip installs: the top-level requirements that fail, or are blocked, on the target are left out.
installable=$work/rag-service-installable.txt
"$bin" "$input" "${one[@]}" --no-cache > "$work/tree.json" || true
python3 - "$work/tree.json" "$input" > "$installable" <<'EOF'
import json, re, sys
report = json.load(open(sys.argv[1]))
target = report["targets"][0]["id"]
failing = set()
for p in report["packages"]:
    v = p["targets"].get(target, {})
    if not p.get("via") and (v.get("outcome") == "fail" or v.get("blocked_by")):
        failing.add(p["name"])
norm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
for line in open(sys.argv[2]):
    line = line.strip()
    if line and not line.startswith("#") and norm(re.split(r"[=<>!~;\[ ]", line)[0]) not in failing:
        print(line)
EOF
echo "input: $input ($(grep -c '^[A-Za-z]' "$input") requirement lines); without its failing ones:" \
  "$(wc -l < "$installable") lines; runs: $runs"

for i in $(seq "$runs"); do
  echo "run $i"
  cache=$(mktemp -d)
  measure 1-target/cold "$bin" "$input" "${one[@]}" --cache-dir "$cache"
  rm -rf "$cache"
  cache=$(mktemp -d)
  measure 6-targets/cold "$bin" "$input" "${six[@]}" --cache-dir "$cache"
  measure 1-target/cached "$bin" "$input" "${one[@]}" --cache-dir "$cache" --offline
  measure 6-targets/cached "$bin" "$input" "${six[@]}" --cache-dir "$cache" --offline
  rm -rf "$cache"
  cache=$(mktemp -d)
  measure installable/cold "$bin" "$installable" "${one[@]}" --cache-dir "$cache"
  rm -rf "$cache"
  uv_cache=$(mktemp -d)
  measure uv/cold "$uv" "${uv_flags[@]}" --cache-dir "$uv_cache" "$installable"
  rm -rf "$uv_cache"
done

medians "$runs" 1-target/cold 6-targets/cold 1-target/cached 6-targets/cached installable/cold uv/cold
ratios "$runs" "installable/cold uv/cold"
