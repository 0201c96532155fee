#!/bin/sh
# t5300-sync-train: mmp train --push and tracking.push: auto push the run
# right after it finished

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

test_expect_success 'set up a project and a server' '
	mmp init -q proj &&
	fake_start fake
'

test_expect_success JQ 'train --push pushes the new run' '
	(cd proj && mmp -c tracking.uri="$(fake_url fake)" train --push \
		--recipe recipes/breast-cancer.yaml --json >../t1.json) &&
	test "$(json_get t1.json .push.status)" = ok &&
	test "$(json_get t1.json .push.remote)" = "$(fake_url fake)" &&
	fake_state fake state.json &&
	test "$(jq ".runs | length" state.json)" = 1 &&
	test "$(jq -r ".runs[0].info.run_id" state.json)" = \
		"$(json_get t1.json .push.remote_run_id)" &&
	test "$(jq -r ".runs[0].data.tags[] | select(.key == \"mmp.run_id\") |
		.value" state.json)" = "$(json_get t1.json .run_id)" &&
	test "$(jq -r ".runs[0].info.status" state.json)" = FINISHED
'

test_expect_success JQ 'tracking.push: auto pushes without the option' '
	(cd proj && MLFLOW_TRACKING_URI=$(fake_url fake) \
		mmp -c tracking.push=auto train \
		--recipe recipes/breast-cancer.yaml --json >../t2.json) &&
	test "$(json_get t2.json .push.status)" = ok &&
	fake_state fake state.json &&
	test "$(jq ".runs | length" state.json)" = 2
'

test_expect_success JQ 'without either, nothing is pushed' '
	(cd proj && MLFLOW_TRACKING_URI=$(fake_url fake) mmp train \
		--recipe recipes/breast-cancer.yaml --json >../t3.json) &&
	test "$(json_get t3.json .push)" = null &&
	fake_state fake state.json &&
	test "$(jq ".runs | length" state.json)" = 2 &&
	(cd proj && mmp sync status --tracking-uri "$(fake_url fake)" \
		--json) >st.json &&
	test "$(json_get st.json .runs_pending)" = 1
'

test_expect_success JQ 'a failed --push exits 1, keeps the run, reports it' '
	fake_start gone && url=$(fake_url gone) && fake_stop gone &&
	test_expect_code 1 sh -c "cd proj && mmp -c tracking.uri=$url \
		train --push --recipe recipes/breast-cancer.yaml --json" \
		>t4.json 2>t4.err &&
	test "$(json_get t4.json .status)" = FINISHED &&
	test "$(json_get t4.json .push.status)" = failed &&
	test "$(json_get t4.json .push.error_class)" = refused &&
	test_grep "^error: cannot push run [0-9a-f]*: .*refused" t4.err &&
	test "$(sql $DB "SELECT status FROM runs
		WHERE run_uuid = \"$(json_get t4.json .run_id)\"")" = FINISHED
'

test_expect_success JQ 'a failed auto push is a warning only' '
	(cd proj && mmp -c tracking.uri="$url" -c tracking.push=auto train \
		--recipe recipes/breast-cancer.yaml -q >../t5.out 2>../t5.err) &&
	test_grep "^warning: cannot push run [0-9a-f]* .it stays pending for mmp sync.: " t5.err &&
	grep -E "^[0-9a-f]{32}$" t5.out
'

test_expect_success 'train --push without a tracking server fails clearly' '
	test_expect_code 1 sh -c "cd proj && mmp train --push \
		--recipe recipes/breast-cancer.yaml -q" 2>t6.err &&
	test_grep "^error: cannot push run [0-9a-f]*: no tracking server: set tracking.uri or MLFLOW_TRACKING_URI" t6.err
'

test_done
