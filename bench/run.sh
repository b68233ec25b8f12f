#!/usr/bin/env bash
# Wall time and peak memory of muslcheck on a real ~790-pin requirements file, against the live index
# (each run gets an empty cache directory: every run is cold; bench/compare.sh measures the cache and uv).
# Needs GNU time (/usr/bin/time).
#
#   bench/run.sh [RUNS] [-- extra muslcheck flags]
#
# Prints each run and the median; exit codes 0 and 1 (verdicts found) both count as a completed run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
[ "${1:-}" = "--" ] && shift
# Home Assistant's requirements_all.txt from the shared corpus beside the checkout (third-party data, not kept
# in this repository), less its `-r requirements.txt` line, which names a file that is not there.
corpus=../shared/corpus/home-assistant-requirements-all.txt
[ -f "$corpus" ] || { echo "needs $corpus (the shared corpus beside the checkout)" >&2; exit 2; }
mkdir -p target/bench
input=target/bench/home-assistant-requirements-all.txt
grep -v '^-r ' "$corpus" > "$input"
cargo build --release --quiet
bin=target/release/muslcheck
pins=$(grep -c '^[A-Za-z]' "$input")
echo "input: $input ($pins requirement lines); runs: $runs; flags: $*"
times=()
rss=()
for i in $(seq "$runs"); do
  stats=$(mktemp)
  cache=$(mktemp -d)
  set +e
  /usr/bin/time -f '%e %M' -o "$stats" "$bin" "$input" --format json --cache-dir "$cache" "$@" > /dev/null
  code=$?
  set -e
  rm -rf "$cache"
  if [ "$code" -gt 1 ]; then
    echo "run $i: muslcheck exited $code (lookups failed?)" >&2
  fi
  read -r wall kb < <(tail -n 1 "$stats")
  rm -f "$stats"
  echo "run $i: ${wall} s, peak RSS $((kb / 1024)) MB, exit $code"
  times+=("$wall")
  rss+=("$kb")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "median: $(median "${times[@]}") s wall, $(( $(median "${rss[@]}" | cut -d. -f1) / 1024 )) MB peak RSS"
