#!/bin/sh
# t7200-ui-browser: mmp ui in headless Chromium: every page renders the
# expected runs, values and charts with no console error, the script's
# live update, zoom and keyboard shortcut work, dark mode, JavaScript
# off, a comparison of 100 runs, and runs mirrored from a tracking server
# marked as such and read-only. Screenshots stay in the trash directory.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/ui-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if test -n "$CHROMIUM" &&
   /usr/bin/python3 -c 'import html.parser' 2>/dev/null; then
	test_set_prereq CHROMIUM
fi

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"
SHOTS="$TRASH_DIRECTORY/shots"

# browse STEP...: run the DevTools driver; eval results go to `evals`
browse() {
	timeout 120 /usr/bin/python3 "$TEST_DIRECTORY/helpers/ui-browser.py" \
		"$CHROMIUM" "$SHOTS" "$@" >evals
}

# page NAME: the DOM of a saved page becomes `out` for hq
page() {
	cp "$SHOTS/$1.html" out
}

test_expect_success CHROMIUM 'a store: a trained run, 100 runs with curves' '
	mkdir -p "$SHOTS" &&
	mmp init -q &&
	mmp train --recipe recipes/breast-cancer.yaml -q --json >t.json &&
	T=$(jq -r .run_id t.json) &&
	mmp register $T --name churn >/dev/null &&
	args="" &&
	for i in $(seq 0 99); do
		m="" &&
		for s in 0 1 2 3 4 5 6 7 8 9; do
			m="$m loss=0.$((90 - s * 5 - i % 7))@$s"
		done &&
		args="$args : start --experiment sweep --name sweep-$i \
			--start $((5000000 + i)) : \
			param @ max_depth=$((2 + i % 6)) eta=0.$((1 + i % 3)) : \
			metric @ $m : end @ FINISHED" ||
		return 1
	done &&
	eval "$W \"\$DB\" ${args# : }" >ids &&
	test_line_count = 100 ids &&
	echo "T=$T" >vars
'
. ./vars 2>/dev/null

test_expect_success CHROMIUM 'start the UI and a running run' '
	$W "$DB" hang --experiment live --name still-going >hang.out &
	echo $! >hang.uipid &&
	i=0 &&
	until test -s hang.out; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || return 1
	done &&
	ui_start u
'

test_expect_success CHROMIUM 'the runs page, the filter key, no console error' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/runs?per=200" runs \
		eval "document.querySelectorAll(\"#runs tbody tr\").length" \
		key / eval "document.activeElement.id" &&
	printf "%s\n" 102 "\"filter\"" >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/runs.console" &&
	page runs &&
	test "$(hq text total)" = 102 &&
	hq texts "#runs tbody th a" >names &&
	test_grep "^sweep-99$" names &&
	test_grep "^still-going$" names &&
	test -s "$SHOTS/runs.png"
'

test_expect_success CHROMIUM,JQ 'runs mirrored from a tracking server' '
	fake_start fake &&
	e=$(fake_post fake experiments/create "{\"name\":\"team\"}" |
		jq -r .experiment_id) &&
	for i in 1 2
	do
		r=$(fake_post fake runs/create "{\"experiment_id\":\"$e\",
			\"run_name\":\"team-$i\",\"start_time\":179500000000$i,
			\"user_id\":\"alice\"}" | jq -r .run.info.run_id) &&
		fake_post fake runs/log-batch "{\"run_id\":\"$r\",
			\"params\":[{\"key\":\"max_depth\",\"value\":\"$i\"}],
			\"metrics\":[{\"key\":\"auc\",\"value\":0.9$i,
			\"timestamp\":1795000001000,\"step\":0}]}" >/dev/null &&
		for f in model/MLmodel report.json
		do
			echo "{}" | curl -sf -X PUT --data-binary @- \
				"$(fake_url fake)/api/2.0/mlflow-artifacts/artifacts/$e/$r/artifacts/$f" \
				>/dev/null || return 1
		done &&
		fake_post fake runs/update "{\"run_id\":\"$r\",\"status\":\"FINISHED\",
			\"end_time\":179500010000$i}" >/dev/null &&
		echo "R$i=$r" >>vars || return 1
	done &&
	. ./vars &&
	curl -sf -X POST -d "{\"route\":\"artifacts/list\",\"run_id\":\"$R2\",
		\"status\":403,\"times\":-1}" "$(fake_url fake)/__fake/fail" \
		>/dev/null &&
	test_expect_code 2 mmp sync --pull --experiment team --retries 0 -q \
		--tracking-uri "$(fake_url fake)" 2>pull.err &&
	test_grep "^warning: run $R2 " pull.err &&
	echo "M1=$(sql "$DB" "SELECT run_uuid FROM runs
		WHERE remote_run_id = \"$R1\"")" >>vars &&
	echo "M2=$(sql "$DB" "SELECT run_uuid FROM runs
		WHERE remote_run_id = \"$R2\"")" >>vars &&
	. ./vars &&
	test -n "$M1" && test -n "$M2"
'
. ./vars 2>/dev/null

test_expect_success CHROMIUM 'the runs page marks mirrored runs and their server' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/runs?source=remote" remote \
		eval "document.querySelectorAll(\"#runs tbody tr\").length" \
		eval "document.querySelectorAll(\"#runs tbody .badge.remote\").length" \
		eval "document.getElementById(\"source\").value" \
		go "http://127.0.0.1:$P/runs?source=local&per=200" local \
		eval "document.querySelectorAll(\"#runs tbody .badge.remote\").length" \
		eval "document.getElementById(\"total\").textContent" \
		go "http://127.0.0.1:$P/runs?per=200" all \
		eval "document.getElementById(\"total\").textContent" &&
	printf "%s\n" 2 2 "\"remote\"" 0 "\"102\"" "\"104\"" >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/remote.console" &&
	test_must_be_empty "$SHOTS/local.console" &&
	page remote &&
	hq texts "#runs tbody span.origin" >origins &&
	printf "%s\n" "$(fake_url fake)" "$(fake_url fake)" >expect &&
	test_cmp expect origins &&
	hq texts "#runs tbody th a" >names &&
	printf "%s\n" team-2 team-1 >expect &&
	test_cmp expect names &&
	hq attr "#runs tbody span.badge" title >titles &&
	test_grep "^a read-only mirror of run $R1$" titles &&
	page local &&
	test "$(hq count "#runs tbody span.origin")" = 0 &&
	get u "/runs?source=elsewhere" >code &&
	test "$(cat code)" = 400 &&
	test_grep "unknown run source" out
'

test_expect_success CHROMIUM 'a mirrored run page: origin, no artifact links, read-only' '
	P=$(ui_port u) &&
	sqlite3 "$DB" .dump >before.sql &&
	browse go "http://127.0.0.1:$P/runs/$M1" mirror \
		eval "document.getElementById(\"origin\").textContent" \
		eval "document.getElementById(\"remote-run-id\").textContent" \
		eval "document.querySelectorAll(\"#artifacts tbody tr\").length" \
		eval "document.querySelectorAll(\"#artifacts a\").length" \
		eval "document.getElementById(\"artifacts-unknown\") === null" \
		eval "document.querySelectorAll(\"form:not([method=get])\").length" \
		go "http://127.0.0.1:$P/runs/$M2" mirror2 \
		eval "document.getElementById(\"artifacts-unknown\") !== null" &&
	printf "%s\n" "\"$(fake_url fake)\"" "\"$R1\"" 2 0 true 0 true \
		>expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/mirror.console" &&
	test_must_be_empty "$SHOTS/mirror2.console" &&
	page mirror &&
	test "$(hq text mirror-note)" = "A read-only mirror of run $R1 of $(fake_url fake): it changes there, and here with mmp sync --pull." &&
	test "$(hq text git-none)" = "not recorded (the server'"'"'s run names no commit)" &&
	hq texts "#artifacts tbody td" | sed -n 1p >first &&
	echo model/MLmodel >expect &&
	test_cmp expect first &&
	page mirror2 &&
	test "$(hq text artifacts-unknown)" != "" &&
	test_grep "403" out &&
	for m in POST PUT DELETE PATCH
	do
		get u "/runs/$M1" -X $m >code &&
		test "$(cat code)" = 405 || return 1
	done &&
	sqlite3 "$DB" .dump >after.sql &&
	test_cmp before.sql after.sql
'

test_expect_success CHROMIUM 'live update: a page with a running run refreshes' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/runs?experiment=live" live \
		eval "document.body.dataset.live" \
		eval "document.getElementById(\"main\").dataset.old = \"1\"" \
		sleep 7 \
		eval "document.getElementById(\"main\").dataset.old || \"fresh\"" &&
	printf "%s\n" "\"5\"" "\"1\"" "\"fresh\"" >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/live.console"
'

test_expect_success CHROMIUM 'a run page: charts drawn, zoom by dragging' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/runs/$T" run \
		eval "document.querySelectorAll(\"#curve-0 g.series\").length" \
		eval "document.querySelectorAll(\"#importance rect.bar\").length" \
		drag "#curve-0 svg" 0.3 0.7 wait zoomed \
		eval "new URL(location.href).searchParams.get(\"from\") !== null" \
		eval "document.getElementById(\"from\").value !== \"\"" &&
	printf "%s\n" 2 30 true true >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/run.console" &&
	test_must_be_empty "$SHOTS/zoomed.console" &&
	page run &&
	jq -r .confusion_matrix.matrix[0][0] t.json >expect &&
	hq texts "#confusion tbody tr td" | sed -n 1p >got &&
	test_cmp expect got
'

test_expect_success CHROMIUM 'dark and light schemes' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/runs/$T" light \
		eval "getComputedStyle(document.body).backgroundColor" \
		dark go "http://127.0.0.1:$P/runs/$T" dark \
		eval "getComputedStyle(document.body).backgroundColor" \
		eval "getComputedStyle(document.body).color" &&
	printf "%s\n" "\"rgb(255, 255, 255)\"" "\"rgb(13, 17, 23)\"" \
		"\"rgb(230, 237, 243)\"" >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/dark.console"
'

test_expect_success CHROMIUM 'with JavaScript off every chart is there' '
	P=$(ui_port u) &&
	browse nojs go "http://127.0.0.1:$P/runs/$T" nojs \
		eval "document.querySelectorAll(\"svg\").length" &&
	test "$(cat evals)" = 2 &&
	page nojs &&
	test "$(hq count "figure.chart")" = 2 &&
	test "$(hq count "table#confusion")" = 1
'

test_expect_success CHROMIUM 'a comparison of 100 runs renders' '
	P=$(ui_port u) &&
	q=$(sed "s/^/run=/" ids | tr "\n" "&") &&
	browse go "http://127.0.0.1:$P/compare?$q" compare \
		eval "document.querySelectorAll(\"#curve-0 g.series\").length" \
		eval "document.querySelectorAll(\"#parallel g.series\").length" \
		eval "document.querySelectorAll(\"#diff-table thead th\").length" &&
	printf "%s\n" 100 100 101 >expect &&
	test_cmp expect evals &&
	test_must_be_empty "$SHOTS/compare.console" &&
	page compare &&
	hq texts "#diff-table tr.differs th" >differs &&
	printf "%s\n" "params.eta (differs)" "params.max_depth (differs)" \
		"metrics.loss (differs)" >expect &&
	test_cmp expect differs
'

test_expect_success CHROMIUM 'models and studies pages' '
	P=$(ui_port u) &&
	browse go "http://127.0.0.1:$P/models" models \
		go "http://127.0.0.1:$P/models/churn" model \
		go "http://127.0.0.1:$P/studies" studies &&
	test_must_be_empty "$SHOTS/models.console" &&
	test_must_be_empty "$SHOTS/model.console" &&
	test_must_be_empty "$SHOTS/studies.console" &&
	page model &&
	hq texts "#versions tbody th" >versions &&
	echo v1 >expect &&
	test_cmp expect versions &&
	page models &&
	test "$(hq text audit-verdict)" = "Audit log: 1 row, the hash chain is intact."
'

test_expect_success CHROMIUM 'stop the UI and the running run' '
	ui_stop u &&
	kill "$(cat hang.uipid)" &&
	rm hang.uipid &&
	ls "$SHOTS"/*.png >pngs &&
	test_line_count -ge 10 pngs
'

test_done
