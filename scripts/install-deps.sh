#!/bin/sh
# install-deps.sh: install every build, test and benchmark dependency of mmp
# with apt-get (and s3rver, the tests' S3 server, with npm). Idempotent:
# when everything is present it only checks.
set -eu

PKGS="build-essential pkg-config git perl jq sqlite3 curl ca-certificates time
libgit2-dev libyaml-dev libcjson-dev libcurl4-openssl-dev libsqlite3-dev
libxgboost-dev libmicrohttpd-dev libssl-dev clang libclang-rt-dev
libpq-dev postgresql python3-psycopg2 python3-sqlalchemy
zlib1g-dev libzstd-dev zstd
python3 python3-numpy python3-xgboost python3-pandas python3-sklearn
wrk python3-fastapi python3-uvicorn python3-optuna
chromium nodejs"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing \
		>/dev/null
fi

# Debian's nodejs comes without npm (another build of nodejs may bundle it)
if ! command -v npm >/dev/null 2>&1; then
	echo "install-deps: installing: npm"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
	missing="$missing npm"
fi

# the S3 server the S3 tests run on loopback, from the npm registry
if ! command -v s3rver >/dev/null 2>&1; then
	echo "install-deps: installing s3rver (npm)"
	$SUDO npm install -g --no-fund --no-audit --loglevel=error s3rver@3 \
		>/dev/null
	missing="$missing s3rver"
fi

if [ -z "$missing" ]; then
	echo "install-deps: all dependencies are present"
else
	echo "install-deps: done"
fi
