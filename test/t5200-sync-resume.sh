#!/bin/sh
# t5200-sync-resume: a push killed with -9 at any point completes when run
# again, and the server ends up with one run and every metric value once

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

# push_bg NAME: start mmp sync to server NAME in the background
push_bg() {
	(cd proj && exec mmp sync --tracking-uri "$(fake_url "$1")" -q) \
		>"$1.bg.out" 2>"$1.bg.err" &
	echo $! >"$1.bg.pid"
	test_bg_register $!
}

kill_push() {
	kill -9 "$(cat "$1.bg.pid")" &&
	wait "$(cat "$1.bg.pid")" 2>/dev/null
	return 0
}

push() {
	(cd proj && mmp sync --tracking-uri "$(fake_url "$1")" --json) \
		>"$1.json" 2>"$1.err"
}

# check_once NAME RUN: the server holds one run for RUN with each of its
# metric values exactly once
check_once() {
	fake_state "$1" "$1.state" &&
	jq "[.runs[] | select(any(.data.tags[]; .key == \"mmp.run_id\" and
		.value == \"$2\"))]" "$1.state" >"$1.runs" &&
	test "$(jq length "$1.runs")" = 1 &&
	jq -r ".[0].history[] | \"\(.key) \(.step) \(.timestamp)\"" "$1.runs" |
		sort >"$1.remote" &&
	sql $DB "SELECT key, step, timestamp FROM metrics
		WHERE run_uuid = \"$2\"" | tr "|" " " | sort >"$1.local" &&
	test_cmp "$1.local" "$1.remote" &&
	test "$(jq -r ".[0].info.status" "$1.runs")" = FINISHED
}

test_expect_success 'set up a run with 2500 metric values' '
	mmp init -q proj &&
	m=$(awk "BEGIN { for (i = 0; i < 2500; i++) {
		if (i % 50 == 0) printf \": metric @ \";
		printf \"k%d=%d@%d@%d \", i % 5, i, i, 1000 + i } }") &&
	store-writer $DB start --experiment resume --name many $m \
		: param @ a=1 : end @ FINISHED >many.out &&
	head -n 1 many.out >run
'

test_expect_success JQ 'killed while a metric batch is in flight' '
	fake_start m --stall-after runs/log-batch:3 &&
	push_bg m &&
	wait_for_line m.log "runs/log-batch" 3 &&
	sleep 0.2 &&
	kill_push m &&
	grep "log-batch params=0 metrics=1000" m.log >batches &&
	test_line_count = 2 batches &&
	test "$(sql $DB "SELECT metrics_inflight > metrics_rowid
		FROM sync_runs")" = 1 &&
	fake_state m before.json &&
	test "$(jq ".runs[0].history | length" before.json)" = 2000 &&
	: >m.log &&
	push m &&
	test "$(json_get m.json .sent.runs)" = 0 &&
	test "$(json_get m.json .sent.metrics)" = 500 &&
	test_grep "metrics/get-history" m.log &&
	test "$(grep -c "log-batch params=0 metrics=" m.log)" = 1 &&
	check_once m "$(cat run)" &&
	test "$(sql $DB "SELECT metrics_inflight IS NULL FROM sync_runs")" = 1
'

test_expect_success JQ 'killed while runs/create is in flight' '
	fake_start c --stall-after runs/create:1 &&
	push_bg c &&
	wait_for_line c.log "runs/create" &&
	sleep 0.2 &&
	kill_push c &&
	remote=$(sql $DB "SELECT remote_id FROM sync_remotes
		WHERE uri = \"$(fake_url c)\"") &&
	test "$(sql $DB "SELECT count(*) FROM sync_runs WHERE remote_id = $remote
		AND remote_run_id IS NULL")" = 1 &&
	: >c.log &&
	push c &&
	test_grep "runs/search" c.log &&
	! grep "runs/create" c.log &&
	test "$(json_get c.json .sent.runs)" = 0 &&
	test "$(json_get c.json .sent.metrics)" = 2500 &&
	check_once c "$(cat run)"
'

test_expect_success JQ 'a slow server, killed at several points, then finished' '
	fake_start s --delay-ms 40 &&
	for n in 3 4 6
	do
		push_bg s &&
		wait_for_line s.log "^[A-Z]" $n &&
		kill_push s || return 1
	done &&
	push s &&
	test "$(json_get s.json .status)" = ok &&
	check_once s "$(cat run)" &&
	fake_state s s.state &&
	test "$(jq ".experiments | map(select(.name == \"resume\")) | length" \
		s.state)" = 1 &&
	test "$(grep -c "runs/create" s.log)" = 1 &&
	push s &&
	test "$(json_get s.json .requests)" = 0
'

test_expect_success JQ 'an interrupted push leaves the rest pending in status' '
	store-writer $DB start --experiment resume --name later : \
		metric @ z=1 : end @ FINISHED >/dev/null &&
	(cd proj && mmp sync status --tracking-uri "$(fake_url s)" --json) \
		>st.json &&
	test "$(json_get st.json .runs_pending)" = 1 &&
	test "$(json_get st.json .pending.runs)" = 1 &&
	test "$(json_get st.json .pending.metrics)" = 1 &&
	test "$(json_get st.json .pending.experiments)" = 0
'

test_done
