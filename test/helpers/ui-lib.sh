# SPDX-License-Identifier: MIT
# ui-lib.sh: start, query and stop `mmp ui` in the t7xxx tests. Every
# wait is bounded; servers are killed when the script exits.

UI_DIR="$TRASH_DIRECTORY"
# with test-lib.sh's own clean-up (fake servers, start_bg helpers) kept
test_at_end ui_kill_all

ui_kill_all() {
	for f in "$UI_DIR"/*.uipid; do
		test -e "$f" || continue
		kill -9 "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
}

# ui_start NAME [ui options...]: start `mmp ui` on a free port and wait
# (up to 30 s) for its ready line; NAME.port holds the port
ui_start() {
	name=$1
	shift
	rm -f "$UI_DIR/$name.err" "$UI_DIR/$name.port"
	mmp ui --port 0 "$@" 2>"$UI_DIR/$name.err" &
	echo $! >"$UI_DIR/$name.uipid"
	i=0
	while ! grep -q "^serving the UI" "$UI_DIR/$name.err"; do
		i=$((i + 1))
		if test $i -gt 300 ||
		   ! kill -0 "$(cat "$UI_DIR/$name.uipid")" 2>/dev/null; then
			echo "ui_start: no ready line:" >&2
			cat "$UI_DIR/$name.err" >&2
			return 1
		fi
		sleep 0.1
	done
	sed -n 's|^serving the UI of .* on http://[^:]*:\([0-9]*\)/.*|\1|p' \
		"$UI_DIR/$name.err" >"$UI_DIR/$name.port"
	test -s "$UI_DIR/$name.port"
}

ui_port() {
	cat "$UI_DIR/$1.port"
}

# ui_stop NAME: SIGTERM, wait up to 30 s; the exit status goes to NAME.rc
ui_stop() {
	pid=$(cat "$UI_DIR/$1.uipid")
	kill -TERM "$pid" 2>/dev/null
	( sleep 30; kill -9 "$pid" 2>/dev/null ) >/dev/null 2>&1 &
	dog=$!
	wait "$pid" 2>/dev/null
	echo $? >"$UI_DIR/$1.rc"
	kill "$dog" 2>/dev/null
	rm -f "$UI_DIR/$1.uipid"
}

# get NAME PATH [curl options...]: the body goes to `out`, the headers
# to `hdr`; prints the status
get() {
	name=$1 path=$2
	shift 2
	curl -s -m 20 --path-as-is -o out -D hdr -w '%{http_code}' "$@" \
		"http://127.0.0.1:$(ui_port "$name")$path"
}

# header NAME: the value of response header NAME in `hdr`
header() {
	tr -d '\r' <hdr | sed -n "s/^$1: //Ip"
}

# hq QUERY ARGS...: html-query.py on `out`
hq() {
	/usr/bin/python3 "$TEST_DIRECTORY/helpers/html-query.py" out "$@"
}
