# Shared by the benchmark scripts (sourced, from the repository's root): GNU time, the release binary
# copied to target/bench/muslcheck, uv in target/bench-venv, and `measure`/`medians` for the figures.

work=target/bench
mkdir -p "$work"
if [ ! -x /usr/bin/time ] && command -v apt-get > /dev/null; then
  apt-get install -y -qq time > /dev/null || true
fi
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

cargo build --release --quiet
# A copy: a rebuild while the benchmark runs does not change the binary under measurement.
bin=$work/muslcheck
cp target/release/muslcheck "$bin"
venv=target/bench-venv
if [ ! -x "$venv/bin/uv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet uv
fi
uv=$venv/bin/uv

# measure NAME COMMAND…: runs the command under GNU time, prints its wall time, CPU time (user + system) and
# peak RSS, and keeps them for `medians`. Exit codes 0 and 1 (a report with problems) count as success.
declare -A wall rss cpu
measure() { # name, command…
  local name=$1 stats out
  shift
  out=$work/${name//\//-}
  stats=$(mktemp)
  set +e
  /usr/bin/time -f '%e %M %U %S' -o "$stats" "$@" > "$out.out" 2> "$out.err"
  local code=$?
  set -e
  read -r w kb user sys < <(tail -n 1 "$stats")
  rm -f "$stats"
  if [ "$code" -gt 1 ]; then
    echo "  $name exited $code: $(tail -n 2 "$out.err" | tr '\n' ' ')" >&2
  fi
  wall[$name]+="$w "
  rss[$name]+="$kb "
  local c
  c=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  cpu[$name]+="$c "
  printf '  %-16s %6s s %5s s CPU %5s MB' "$name" "$w" "$c" "$((kb / 1024))"
  note=$(grep -o '"cache: [^"]*"' "$out.out" 2> /dev/null || true)
  echo " ${note}"
}


median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# medians RUNS NAME…: the median wall time, CPU time and peak RSS of each measured NAME.
medians() {
  local runs=$1 name
  shift
  echo
  echo "medians of $runs runs:"
  for name in "$@"; do
    # shellcheck disable=SC2086
    printf '  %-16s %6s s wall %5s s CPU %5s MB peak RSS\n' "$name" "$(median ${wall[$name]})" \
      "$(median ${cpu[$name]})" "$(( $(median ${rss[$name]} | cut -d. -f1) / 1024 ))"
  done
}

# ratios RUNS "A B"…: for each pair, A's median wall time and peak RSS over B's, to two decimals (below 1: A is
# faster or smaller).
ratios() {
  local runs=$1 pair a b
  shift
  echo
  echo "ratios of medians over $runs runs (wall, peak RSS):"
  for pair in "$@"; do
    read -r a b <<< "$pair"
    # shellcheck disable=SC2086
    awk -v a="$a" -v b="$b" -v wa="$(median ${wall[$a]})" -v wb="$(median ${wall[$b]})" \
      -v ra="$(median ${rss[$a]})" -v rb="$(median ${rss[$b]})" \
      'BEGIN { printf "  %-16s / %-16s %5.2f× wall %5.2f× RSS\n", a, b, (wb > 0 ? wa / wb : 0), (rb > 0 ? ra / rb : 0) }'
  done
}
