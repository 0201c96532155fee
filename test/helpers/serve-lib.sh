# SPDX-License-Identifier: MIT
# serve-lib.sh: start, query and stop `mmp serve-api` in the t4xxx tests.
# Every wait is bounded; test-lib.sh kills the servers when the script
# ends.

SERVE_DIR="$TRASH_DIRECTORY"

# serve_start NAME [serve-api options...]: start a server on a free port,
# wait (up to 30 s) for its ready line; NAME.pid, NAME.port and NAME.err
# hold its pid, port and standard error
serve_start() {
	name=$1
	shift
	rm -f "$SERVE_DIR/$name.err" "$SERVE_DIR/$name.port"
	mmp serve-api --port 0 "$@" 2>"$SERVE_DIR/$name.err" &
	echo $! >"$SERVE_DIR/$name.pid"
	test_bg_register $!
	i=0
	while ! grep -q "^serving model" "$SERVE_DIR/$name.err"; do
		i=$((i + 1))
		if test $i -gt 300 ||
		   ! kill -0 "$(cat "$SERVE_DIR/$name.pid")" 2>/dev/null; then
			echo "serve_start: no ready line:" >&2
			cat "$SERVE_DIR/$name.err" >&2
			return 1
		fi
		sleep 0.1
	done
	sed -n 's/^serving model .* on http:.*:\([0-9][0-9]*\)$/\1/p' \
		"$SERVE_DIR/$name.err" >"$SERVE_DIR/$name.port"
	test -s "$SERVE_DIR/$name.port"
}

serve_port() {
	cat "$SERVE_DIR/$1.port"
}

# serve_stop NAME [SIGNAL]: signal (TERM), wait up to 30 s; the exit
# status of the server goes to NAME.rc when it is a child of this shell
serve_stop() {
	pid=$(cat "$SERVE_DIR/$1.pid")
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	( sleep 30; kill -9 "$pid" 2>/dev/null ) >/dev/null 2>&1 &
	dog=$!
	wait "$pid" 2>/dev/null
	rc=$?
	if test $rc = 127; then
		i=0
		while kill -0 "$pid" 2>/dev/null && test $i -lt 300; do
			i=$((i + 1))
			sleep 0.1
		done
	fi
	kill "$dog" 2>/dev/null
	echo $rc >"$SERVE_DIR/$1.rc"
	rm -f "$SERVE_DIR/$1.pid"
}

# req NAME METHOD PATH [curl options...]: the body goes to `out`, the
# headers to `hdr`; prints the status
req() {
	name=$1 method=$2 path=$3
	shift 3
	curl -s -m 20 -X "$method" -o out -D hdr -w '%{http_code}' "$@" \
		"http://127.0.0.1:$(serve_port "$name")$path"
}

# post NAME PATH JSON: POST application/json, prints the status
post() {
	req "$1" POST "$2" -H 'Content-Type: application/json' \
		--data-binary "$3"
}
