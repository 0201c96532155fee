#!/bin/sh
# t1300-concurrency: many processes writing runs into one store at once

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"
P=6    # processes
R=15   # runs each
K=5    # params per run
M=12   # metric values per run

test_expect_success 'concurrent writers: no lock errors, every row present' '
	$W "$DB" create &&
	i=0 &&
	while test $i -lt $P
	do
		$W "$DB" stress $R $K $M >ids.$i 2>err.$i &
		i=$((i + 1))
	done &&
	wait &&
	cat err.* >err && ! test -s err &&
	cat ids.* >ids &&
	test_line_count = $((P * R)) ids &&
	test "$(sort -u ids | wc -l)" = $((P * R))
'

test_expect_success SQLITE3 'the rows of every writer are all there' '
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE status = \"FINISHED\"")" = $((P * R)) &&
	test "$(sql "$DB" "SELECT count(*) FROM params")" = $((P * R * K)) &&
	test "$(sql "$DB" "SELECT count(*) FROM metrics")" = $((P * R * M)) &&
	test "$(sql "$DB" "SELECT count(*) FROM latest_metrics")" = $((P * R * 4)) &&
	test "$(sql "$DB" "SELECT count(DISTINCT value) FROM tags WHERE key = \"writer\"")" = $P &&
	test "$(sql "$DB" "SELECT count(*) FROM experiments WHERE name = \"stress\"")" = 1 &&
	test "$(sql "$DB" "PRAGMA integrity_check")" = ok
'

test_expect_success SQLITE3 'latest metrics hold the highest step of each key' '
	test "$(sql "$DB" "SELECT count(*) FROM latest_metrics l WHERE step !=
		(SELECT max(step) FROM metrics m WHERE m.run_uuid = l.run_uuid
		 AND m.key = l.key)")" = 0
'

test_expect_success JQ 'readers see every run while writers work' '
	$W "$DB" stress 20 2 2 >more &
	n=0 &&
	while test $n -lt 5
	do
		mmp runs list --experiment stress --all --json >o || exit 1
		n=$((n + 1))
	done &&
	wait &&
	mmp runs list --experiment stress --all --json >o &&
	test "$(json_get o ".runs | length")" = $((P * R + 20))
'

test_done
