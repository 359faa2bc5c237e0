#!/usr/bin/env sh
# Install the system services the tests run for real, when they are missing: Chromium (browser
# tests), redis-server (channels, stores) and PostgreSQL (the database guides).
# Debian/Ubuntu with apt-get; elsewhere it names what to install and fails.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
    || missing="$missing postgresql"

[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need:$missing (install them with your system's package manager)" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "the tests need:$missing (run as root or install sudo)" >&2; exit 1; }
    sudo="sudo"
fi
echo "installing:$missing"
$sudo apt-get update -qq
# The server packages must not start system-wide services: the tests start their own.
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
# A PostgreSQL or Redis service that the package started anyway is stopped: ports stay free.
if command -v service >/dev/null 2>&1; then
    $sudo service redis-server stop >/dev/null 2>&1 || true
    $sudo service postgresql stop >/dev/null 2>&1 || true
fi
