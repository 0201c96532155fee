# SPDX-License-Identifier: MIT
# pg-lib.sh: a private PostgreSQL server for a test script, in its
# scratch directory, reachable only through a Unix socket there.
#
#   . "$TEST_DIRECTORY/helpers/pg-lib.sh"
#   test_expect_success POSTGRES 'start' 'pg_start'
#   pg_sql "CREATE TABLE t (x int)"            (as the superuser, in db shop)
#   mmp train ... with data.source: "$(pg_uri)"
#
# The server has a superuser `postgres` (trust, for the test's own setup
# through pg_sql) and a login `alice` with password $PG_PASSWORD owning
# the database `shop`; every other connection must give its password
# (scram-sha-256). As root the server runs as the `postgres` user. It
# is stopped when the script ends, passing, failing or killed. The
# prerequisite POSTGRES is set when the PostgreSQL server binaries are
# installed (/usr/lib/postgresql/*/bin).

PG_BIN=
for d in /usr/lib/postgresql/*/bin; do
	test -x "$d/initdb" && test -x "$d/pg_ctl" && PG_BIN=$d
done
PG_DIR="$TRASH_DIRECTORY/pg"
PG_PORT=5432
PG_PASSWORD='Pw-7f3c9a-never-printed'
PG_USER=alice
PG_DB=shop

if test -n "$PG_BIN" && command -v psql >/dev/null 2>&1 &&
   { test "$(id -u)" != 0 || id postgres >/dev/null 2>&1; }; then
	test_set_prereq POSTGRES
fi

# run a command as the server's owner (from its directory)
pg_as_() {
	if test "$(id -u)" = 0; then
		(cd "$PG_DIR" && runuser -u postgres -- "$@")
	else
		(cd "$PG_DIR" && "$@")
	fi
}

pg_stop_() {
	test -f "$PG_DIR/data/postmaster.pid" || return 0
	pg_as_ "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
		>/dev/null 2>&1
}

# pg_start: initdb, start, create alice and shop; at most 60 s
pg_start() {
	mkdir -p "$PG_DIR" &&
	if test "$(id -u)" = 0; then
		chmod 711 "$TRASH_DIRECTORY" && chown postgres "$PG_DIR"
	fi &&
	pg_as_ "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
		--auth=trust --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 ||
	{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	test_at_end pg_stop_
	pg_as_ "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 60 \
		-l "$PG_DIR/server.log" \
		-o "-k $PG_DIR -p $PG_PORT -c listen_addresses='' -c fsync=off" \
		start >/dev/null ||
	{ cat "$PG_DIR/server.log" >&2; return 1; }
	pg_sql "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" postgres &&
	pg_sql "CREATE DATABASE $PG_DB OWNER $PG_USER" postgres &&
	printf '%s\n' "local all postgres trust" \
		"local all all scram-sha-256" >"$PG_DIR/hba" &&
	pg_as_ sh -c "cat '$PG_DIR/hba' >'$PG_DIR/data/pg_hba.conf'" &&
	pg_as_ "$PG_BIN/pg_ctl" -D "$PG_DIR/data" reload >/dev/null &&
	sleep 0.5
}

# pg_sql SQL [DB]: run SQL as the superuser (in shop unless DB given);
# rows on stdout, unaligned, '|'-separated
pg_sql() {
	pg_as_ psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" \
		-U postgres -d "${2:-$PG_DB}" -c "$1"
}

# pg_uri [USER]: the URI of shop through the socket, without a password
pg_uri() {
	printf 'postgresql://%s@/%s?host=%s&port=%s' "${1:-$PG_USER}" \
		"$PG_DB" "$PG_DIR" "$PG_PORT"
}

# pg_sql_file FILE [DB]: run the SQL in FILE as the superuser
pg_sql_file() {
	pg_as_ psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" \
		-U postgres -d "${2:-$PG_DB}" -f - <"$1"
}
