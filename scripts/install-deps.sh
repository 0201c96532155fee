#!/bin/sh
# install-deps.sh: install every build, test and benchmark dependency of mmp
# with apt-get. Idempotent: when everything is present it only checks.
set -eu

PKGS="build-essential pkg-config git perl jq sqlite3 curl ca-certificates time
libgit2-dev libyaml-dev libcjson-dev libcurl4-openssl-dev libsqlite3-dev
libxgboost-dev libmicrohttpd-dev libssl-dev clang libclang-rt-dev
libpq-dev postgresql python3-psycopg2 python3-sqlalchemy
zlib1g-dev libzstd-dev zstd
python3 python3-numpy python3-xgboost python3-pandas python3-sklearn
wrk python3-fastapi python3-uvicorn python3-optuna
chromium"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all dependencies are present"
	exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
