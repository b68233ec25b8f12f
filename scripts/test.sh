#!/usr/bin/env bash
# The whole test suite: creates (once) the virtualenv with the third-party index servers that
# tests/real_servers.rs starts on 127.0.0.1, names it in MUSLCHECK_TEST_VENV, then runs cargo test with the
# real-servers feature that builds those tests (plain `cargo test` runs everything else).
# Arguments go to cargo test: scripts/test.sh --test real_servers
set -euo pipefail
cd "$(dirname "$0")/.."

# Versions the tests were written against; bump together with a run of tests/real_servers.rs.
PACKAGES=(pypiserver==2.4.2 passlib==1.7.4 devpi-server==6.20.3 devpi-client==7.3.0)
VENV=target/test-venv
STAMP="$VENV/.muslcheck-packages"

if [[ ! -x "$VENV/bin/python" || "$(cat "$STAMP" 2>/dev/null)" != "${PACKAGES[*]}" ]]; then
  echo "== creating $VENV with ${PACKAGES[*]}" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]}"
  echo "${PACKAGES[*]}" > "$STAMP"
fi

MUSLCHECK_TEST_VENV="$(cd "$VENV" && pwd)"
export MUSLCHECK_TEST_VENV
exec cargo test --locked --features real-servers "$@"
