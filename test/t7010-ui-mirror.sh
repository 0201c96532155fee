#!/bin/sh
# t7010-ui-mirror: a run mirrored from a tracking server while RUNNING
# there changes only with the next pull, so its page does not refresh
# itself and says when that pull was; a runs list refreshes only for
# this store's own running runs.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/ui-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

if /usr/bin/python3 -c 'import html.parser' 2>/dev/null; then
	test_set_prereq PY
fi

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

# live: the body's data-live attribute of the page in `out` ("" if none)
live() {
	hq attr body data-live
}

test_expect_success JQ 'a server with a running and a finished run, pulled' '
	mmp init -q &&
	$W "$DB" start --experiment here --name done-here --start 1000000 : \
		end @ FINISHED >/dev/null &&
	fake_start fake &&
	e=$(fake_post fake experiments/create "{\"name\":\"team\"}" |
		jq -r .experiment_id) &&
	for i in 1 2
	do
		r=$(fake_post fake runs/create "{\"experiment_id\":\"$e\",
			\"run_name\":\"team-$i\",\"start_time\":179500000000$i,
			\"user_id\":\"alice\"}" | jq -r .run.info.run_id) &&
		echo "R$i=$r" >>vars || return 1
	done &&
	. ./vars &&
	fake_post fake runs/update "{\"run_id\":\"$R2\",\"status\":\"FINISHED\",
		\"end_time\":1795000100002}" >/dev/null &&
	mmp sync --pull --experiment team -q --tracking-uri "$(fake_url fake)" &&
	mmp sync status --json --tracking-uri "$(fake_url fake)" >st.json &&
	test "$(jq -r .pull.last_pull_time st.json)" -gt 0 &&
	echo "M1=$(sql "$DB" "SELECT run_uuid FROM runs
		WHERE remote_run_id = \"$R1\"")" >>vars &&
	echo "M2=$(sql "$DB" "SELECT run_uuid FROM runs
		WHERE remote_run_id = \"$R2\"")" >>vars &&
	. ./vars &&
	test "$(sql "$DB" "SELECT status FROM runs WHERE run_uuid = \"$M1\"")" = RUNNING &&
	ui_start u
'
. ./vars 2>/dev/null

test_expect_success PY,JQ 'a mirrored RUNNING run: no refresh, the last pull named' '
	test "$(get u /runs/$M1)" = 200 &&
	test "$(live)" = "" &&
	test "$(hq count body)" = 1 &&
	! grep -q data-live out &&
	ms=$(jq -r .pull.last_pull_time st.json) &&
	when=$(date -u -d "@$((ms / 1000))" +%Y-%m-%dT%H:%M:%SZ) &&
	shown=$(date -u -d "@$((ms / 1000))" "+%Y-%m-%d %H:%M:%S") &&
	test "$(hq attr "#last-pull time" datetime)" = "$when" &&
	test "$(hq text mirror-running)" = "It was RUNNING on the server at the last pull; the last complete pull from there was at $shown UTC. This page does not refresh itself: mmp sync --pull reads the run again." &&
	test "$(hq text mirror-note)" = "A read-only mirror of run $R1 of $(fake_url fake): it changes there, and here with mmp sync --pull."
'

test_expect_success PY 'a mirrored run that ended there: no note, no refresh' '
	test "$(get u /runs/$M2)" = 200 &&
	test "$(live)" = "" &&
	test "$(hq count "#mirror-running")" = 0 &&
	test "$(hq count "#mirror-note")" = 1
'

test_expect_success PY 'a runs list whose only running run is mirrored does not refresh' '
	test "$(get u /runs)" = 200 &&
	test "$(live)" = "" &&
	test "$(hq text mirror-running)" = "1 mirrored run was RUNNING on its server at the last pull; its status changes here only with mmp sync --pull." &&
	hq attr "#runs tbody span.status" title >titles &&
	printf "%s\n" "" "at the last pull" "" >expect &&
	test_cmp expect titles &&
	test "$(get u "/runs?experiment=here")" = 200 &&
	test "$(live)" = "" &&
	test "$(hq count "#mirror-running")" = 0
'

test_expect_success PY 'a local running run still refreshes its page and the list' '
	$W "$DB" hang --experiment here --name still-going >hang.out &
	echo $! >hang.uipid &&
	test_bg_register $! &&
	i=0 &&
	until test -s hang.out; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	L=$(cut -d " " -f 1 hang.out) &&
	test "$(get u /runs/$L)" = 200 &&
	test "$(live)" = 5 &&
	test "$(hq count "#mirror-running")" = 0 &&
	test "$(get u /runs)" = 200 &&
	test "$(live)" = 5 &&
	test "$(hq count "#mirror-running")" = 1 &&
	test "$(get u /runs/$M1)" = 200 &&
	test "$(live)" = ""
'

test_expect_success PY 'a run RUNNING there before any complete pull says so' '
	sqlite3 "$DB" "UPDATE sync_pull SET last_pull_time = NULL" &&
	test "$(get u /runs/$M1)" = 200 &&
	test "$(hq count "#last-pull")" = 0 &&
	test "$(hq text mirror-running)" = "It was RUNNING on the server at the last pull; no pull from there has completed yet. This page does not refresh itself: mmp sync --pull reads the run again."
'

test_done
