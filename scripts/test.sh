#!/usr/bin/env bash
# Everything CI checks: lint, types, migrations, translations, then the whole suite
# (unit, integration, browser) on SQLite and on PostgreSQL.
#
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hotline);
# pytest-django creates and drops its own test_<name> database there. Under CI=true a
# missing PostgreSQL or browser fails the run; elsewhere a missing PostgreSQL is
# reported loudly and that half is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export HOTLINE_DATA_DIR="${HOTLINE_DATA_DIR:-$PWD/var}"
unset DATABASE_URL

step() { printf '\n== %s\n' "$*"; }

apt_install() {
  step "installing Debian package(s) $*"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

step "ruff"
$BIN/ruff check .
$BIN/ruff format --check .
step "import layers (decision 0024)"
$BIN/lint-imports
step "mypy"
$BIN/mypy hotline config
step "migrations are complete"
$BIN/python -m django makemigrations --check --dry-run --settings=config.settings
step "translations compiled"
command -v msgfmt >/dev/null || apt_install gettext
for po in hotline/locale/*/LC_MESSAGES/django.po; do
  tmp=$(mktemp)
  msgfmt --check-format -o "$tmp" "$po"
  cmp -s "$tmp" "${po%.po}.mo" || { echo "${po%.po}.mo is stale: run 'make messages'"; rm -f "$tmp"; exit 1; }
  rm -f "$tmp"
done
[ "${1:-}" = "--lint-only" ] && exit 0

# Browser tests drive Debian's Chromium; CJK fonts make the screenshots legible.
command -v chromium >/dev/null || apt_install chromium
# grep without -q reads to the end: with -q an early exit makes fc-list die of SIGPIPE,
# and pipefail then reports the fonts missing.
fc-list 2>/dev/null | grep -i cjk >/dev/null || apt_install fonts-noto-cjk
# The mayor's mailbox tests run a real IMAP server (hotline/channels/tests/servers.py).
command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || apt_install dovecot-imapd

# The suite runs on every core (pytest-xdist; HOTLINE_TEST_WORKERS=0 for one process).
# A test module stays on one worker, so its module-scoped servers start once.
WORKERS="${HOTLINE_TEST_WORKERS:-auto}"
PYTEST=($BIN/pytest -n "$WORKERS" --dist loadfile)

step "tests on SQLite"
"${PYTEST[@]}"

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hotline}"
step "tests on PostgreSQL ($PG_URL)"
if ! $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}".splitlines()[0])
    sys.exit(1)
PY
then
  if [ "${CI:-}" = "true" ]; then echo "CI needs PostgreSQL: failing."; exit 1; fi
  echo "!! PostgreSQL is not running: the PostgreSQL half of the suite was NOT run."
  exit 0
fi
DATABASE_URL="$PG_URL" "${PYTEST[@]}"
