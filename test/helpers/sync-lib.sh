# SPDX-License-Identifier: MIT
# sync-lib.sh: run the loopback fake MLflow server for the t5xxx tests.
# Every wait is bounded; test-lib.sh kills the servers when the script
# ends.

FAKE_DIR="$TRASH_DIRECTORY"

# fake_start NAME [fake-tracking options...]: a server on a free port that
# logs to NAME.log; NAME.url holds its URL
fake_start() {
	name=$1
	shift
	rm -f "$FAKE_DIR/$name.out" "$FAKE_DIR/$name.log"
	fake-tracking --port 0 --max-seconds 300 --log "$FAKE_DIR/$name.log" \
		"$@" >"$FAKE_DIR/$name.out" 2>"$FAKE_DIR/$name.err" &
	echo $! >"$FAKE_DIR/$name.fakepid"
	test_bg_register $!
	i=0
	until grep -q "^port=" "$FAKE_DIR/$name.out" 2>/dev/null; do
		i=$((i + 1))
		if test $i -gt 250 ||
		   ! kill -0 "$(cat "$FAKE_DIR/$name.fakepid")" 2>/dev/null
		then
			cat "$FAKE_DIR/$name.err" >&2
			return 1
		fi
		sleep 0.02
	done
	echo "http://127.0.0.1:$(sed -n 's/^port=//p' "$FAKE_DIR/$name.out")" \
		>"$FAKE_DIR/$name.url"
	: >>"$FAKE_DIR/$name.log"
}

fake_stop() {
	f="$FAKE_DIR/$1.fakepid"
	test -e "$f" || return 0
	kill "$(cat "$f")" 2>/dev/null
	i=0
	while kill -0 "$(cat "$f")" 2>/dev/null && test $i -lt 250; do
		i=$((i + 1))
		sleep 0.02
	done
	rm -f "$f"
}

fake_url() {
	cat "$FAKE_DIR/$1.url"
}

# fake_post NAME ROUTE JSON: one POST to the server's REST API, the
# answer on stdout
fake_post() {
	curl -sf -X POST -H "Content-Type: application/json" -d "$3" \
		"$(fake_url "$1")/api/2.0/mlflow/$2"
}

# fake_state NAME FILE: everything the server holds, as JSON
fake_state() {
	curl -sf "$(fake_url "$1")/__fake/state" >"$2"
}

# wait_for_line FILE PATTERN [N]: until FILE has N lines matching (10 s)
wait_for_line() {
	i=0
	while test "$(grep -c "$2" "$1" 2>/dev/null)" -lt "${3:-1}"; do
		i=$((i + 1))
		if test $i -gt 500; then
			echo "wait_for_line: no '$2' in $1" >&2
			cat "$1" >&2
			return 1
		fi
		sleep 0.02
	done
}
