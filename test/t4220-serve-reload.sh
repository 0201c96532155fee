#!/bin/sh
# t4220-serve-reload: serve-api --reload-interval follows a models:/
# stage or alias on the tracking server: the version it moves to is
# pulled and swapped in while a client keeps sending requests, none of
# which fails; an unreachable server leaves the version in place

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

D="$SRC_DIR/recipes/data"

# health NAME: the local version the server says it serves
health() {
	req "$1" GET /health >/dev/null && json_get out .model.version
}

# wait_version NAME V: until /health names version V (20 s)
wait_version() {
	i=0
	while test "$(health "$1")" != "$2"; do
		i=$((i + 1))
		test $i -lt 200 || { echo "still $(health "$1")" >&2; return 1; }
		sleep 0.1
	done
}

# probs NAME: the probabilities /predict gives for the first row
probs() {
	post "$1" /predict @row.json >/dev/null &&
	jq -c ".predictions[0].probabilities" out
}

# remote PATH JSON: a registry call on the fake tracking server
remote() {
	curl -sf -X POST -H "Content-Type: application/json" \
		--data-binary "$2" "$(fake_url fake)/api/2.0/mlflow/$1" >/dev/null
}

test_expect_success JQ 'set up: two versions on the server, v2 in Production' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --set \
		model.params.max_depth=1 --set model.num_boost_round=3 \
		>../run1 &&
	 mmp train -q --recipe recipes/breast-cancer.yaml >../run2 &&
	 mmp register "$(cat ../run1)" --name bc >/dev/null &&
	 mmp register "$(cat ../run2)" --name bc >/dev/null &&
	 mmp approve bc 2 >/dev/null &&
	 mmp promote bc 2 Production >/dev/null &&
	 mmp alias bc champion 2 >/dev/null) &&
	fake_start fake &&
	(cd proj && mmp sync -q --tracking-uri "$(fake_url fake)") &&
	mmp init -q other &&
	mkmodel records "$D/breast_cancer.csv" --drop target >rows.json &&
	jq -c ".[0]" rows.json >row.json &&
	head -n 2 "$D/breast_cancer.csv" >row.csv &&
	for r in 1 2
	do
		(cd proj && mmp batch-inference -q --run "$(cat ../run$r)" \
			--input ../row.csv --output ../v$r.jsonl --format jsonl \
			--proba) &&
		jq -c .probabilities v$r.jsonl >want$r || return 1
	done &&
	! test_cmp want1 want2 >/dev/null
'

test_expect_success 'usage: --reload-interval needs a reference that moves' '
	test_expect_code 129 mmp serve-api --model-dir proj --reload-interval 5 \
		2>err &&
	test_grep "give --model models:/" err &&
	test_expect_code 129 mmp serve-api --model models:/bc/2 \
		--reload-interval 5 2>err &&
	test_grep "a version number never moves" err &&
	test_expect_code 129 mmp serve-api --model models:/bc@champion \
		--reload-interval -1 2>err &&
	test_grep "between 1 and 86400" err
'

test_expect_success JQ 'a stage move under load: no request fails, answers switch' '
	MMP_STORE=$PWD/other/.mmp MLFLOW_TRACKING_URI=$(fake_url fake) &&
	export MMP_STORE MLFLOW_TRACKING_URI &&
	serve_start s --model models:/bc/Production --reload-interval 1 &&
	test "$(health s)" = 1 &&
	test "$(probs s)" = "$(cat want2)" &&
	port=$(serve_port s) &&
	rm -f stop codes &&
	(while ! test -e stop
	 do
		curl -s -m 20 -o /dev/null -w "%{http_code}\n" \
			-H "Content-Type: application/json" \
			--data-binary @row.json \
			"http://127.0.0.1:$port/predict" >>codes
	 done) &
	loop=$! &&
	sleep 1 &&
	remote model-versions/transition-stage "{\"name\": \"bc\",
		\"version\": \"1\", \"stage\": \"Production\",
		\"archive_existing_versions\": true}" &&
	wait_version s 2 &&
	sleep 1 &&
	touch stop && wait $loop &&
	test "$(wc -l <codes)" -gt 20 &&
	test "$(sort -u codes)" = 200 &&
	test "$(probs s)" = "$(cat want1)" &&
	test_grep "^\* models:/bc/Production moved: swapping version 1 for version 2$" s.err &&
	test_grep "serving model .bc. version 2 .binary, 30 features. in place of version 1" s.err &&
	req s GET /metrics >/dev/null &&
	test_grep "^mmp_model_info{name=\"bc\",version=\"2\"" out &&
	test "$(sql other/.mmp/mmp.db "SELECT count(*) FROM model_versions")" = 2
'

test_expect_success JQ 'an alias that moves back is followed too' '
	MMP_STORE=$PWD/other/.mmp MLFLOW_TRACKING_URI=$(fake_url fake) &&
	export MMP_STORE MLFLOW_TRACKING_URI &&
	serve_start a --model models:/bc@champion --reload-interval 1 &&
	test "$(health a)" = 1 &&
	remote registered-models/alias \
		"{\"name\": \"bc\", \"alias\": \"champion\", \"version\": \"1\"}" &&
	wait_version a 2 &&
	test "$(probs a)" = "$(cat want1)" &&
	serve_stop a && test "$(cat a.rc)" = 0
'

test_expect_success JQ 'no version in the stage, then one again: said once each way' '
	remote model-versions/transition-stage "{\"name\": \"bc\",
		\"version\": \"1\", \"stage\": \"Archived\",
		\"archive_existing_versions\": false}" &&
	wait_for_line s.err "cannot follow models:/bc/Production: " &&
	sleep 2.5 &&
	test "$(grep -c "cannot follow models:/bc/Production: " s.err)" = 1 &&
	test "$(probs s)" = "$(cat want1)" &&
	remote model-versions/transition-stage "{\"name\": \"bc\",
		\"version\": \"1\", \"stage\": \"Production\",
		\"archive_existing_versions\": false}" &&
	wait_for_line s.err "models:/bc/Production can be followed again (serving version 2)" &&
	sleep 2.5 &&
	test "$(grep -c "can be followed again" s.err)" = 1 &&
	test "$(grep -c "cannot follow models:/bc/Production: " s.err)" = 1 &&
	test "$(health s)" = 2
'

test_expect_success JQ 'the server unreachable: keep serving, say it once' '
	fake_stop fake &&
	sleep 3.5 &&
	test "$(probs s)" = "$(cat want1)" &&
	test "$(health s)" = 2 &&
	test "$(grep -c "cannot follow models:/bc/Production" s.err)" = 2 &&
	test_grep "Couldn.t connect to server.*still serving version 2$" s.err &&
	serve_stop s &&
	test_grep "stopped accepting connections, 0 request\\(s\\) in flight" s.err
'

test_expect_success 'each version served was monitored under its own version' '
	test "$(sql other/.mmp/mmp.db "SELECT group_concat(v) FROM
		(SELECT DISTINCT version AS v FROM monitor_windows
		 WHERE model = \"bc\" AND source = \"serve\" AND rows > 0
		 ORDER BY v)")" = "1,2"
'

test_done
