#!/usr/bin/env bash
# Installs what a fresh machine lacks, then the project into .venv (idempotent and quick when
# nothing changed). Used by `make run` and `make test`, and so by CI.
#   - Debian libraries WeasyPrint needs (Pango, HarfBuzz subsetting) and fontconfig
#   - poppler-utils: tests read PDFs back and render them to PNG
#   - chromium + chromium-driver: the browser tests (Debian's build, never a downloaded one)
#   - fonts-noto-cjk: a system Chinese font, so a browser test can show the pages use it
#   - caddy, docker-compose: tests/test_deployment.py validates deploy/Caddyfile and the compose
#     file with them (no Docker engine needed; docker-compose only where `docker compose` is absent)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
have_lib 'libfontconfig.so.1' || missing+=(fontconfig)
if [ "${DOORSTEP_SETUP:-}" = "test" ]; then
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  # A system Chinese font, as every phone has: the pages must then load no font file.
  { command -v fc-list >/dev/null && fc-list :lang=zh-cn family | grep -q .; } || missing+=(fonts-noto-cjk)
  command -v caddy >/dev/null || missing+=(caddy)
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null \
    || missing+=(docker-compose)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "setup: please install as root: apt-get install -y ${missing[*]}" >&2; exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Doorstep needs Python 3.11 or newer (found $("$PYTHON" --version))" >&2; exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.doorstep-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi
