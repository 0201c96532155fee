#!/bin/sh
# t1100-runs: mmp runs list/show/compare/history/mark-failed; dead runs

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# sql with a busy timeout: the store may be in use by a running writer
sqlw() {
	sqlite3 -batch -noheader -cmd ".timeout 10000" "$1" "$2"
}

test_expect_success 'seed three runs in two experiments' '
	$W "$DB" create &&
	$W "$DB" start --experiment churn --name alpha --start 1000000 \
		--source recipes/churn.yaml : \
		param @ max_depth=6 eta=0.1 : \
		metric @ auc=0.80@1@1000100 auc=0.91@2@1000200 logloss=nan : \
		tag @ team=ml : \
		dataset @ train 3f2a9c 1000 12 training "{\"cols\":[\"a\"]}" : \
		artifact @ model/model.json 2048 $SHA : \
		end @ FINISHED \
		: start --experiment churn --name beta --start 2000000 : \
		param @ max_depth=8 eta=0.1 : metric @ auc=0.93 big=inf : \
		end @ FINISHED \
		: start --experiment fraud --name gamma --start 3000000 \
		--kind tune : param @ max_depth=6 : metric @ auc=0.70 : \
		end @ FAILED "out of memory" >ids &&
	test_line_count = 3 ids &&
	A=$(sed -n 1p ids) && B=$(sed -n 2p ids) && C=$(sed -n 3p ids) &&
	echo "A=$A B=$B C=$C" >vars
'
. ./vars 2>/dev/null

test_expect_success 'list: newest first, abbreviated ids, key metrics' '
	mmp runs list >out &&
	head -n 1 out | grep -E "^RUN +NAME +EXPERIMENT +KIND +STATUS +START +DURATION +auc" &&
	test_line_count = 4 out &&
	sed -n 2p out | grep -E "^$(echo $C | cut -c1-8) +gamma +fraud +tune +FAILED +1970-01-01T00:50:00Z" &&
	sed -n 3p out | grep -E "^$(echo $B | cut -c1-8) +beta +churn +train +FINISHED" &&
	sed -n 4p out | grep -E "^$(echo $A | cut -c1-8) +alpha +churn +train +FINISHED +1970-01-01T00:16:40Z .* 0\.9100 "
'

test_expect_success JQ 'list --json: every run with its fields' '
	mmp runs list --json >out.json &&
	test "$(json_get out.json .schema_version)" = 1 &&
	test "$(json_get out.json ".runs | length")" = 3 &&
	test "$(json_get out.json ".runs[2].run_id")" = "$A" &&
	test "$(json_get out.json ".runs[2].run_name")" = alpha &&
	test "$(json_get out.json ".runs[2].experiment_name")" = churn &&
	test "$(json_get out.json ".runs[2].status")" = FINISHED &&
	test "$(json_get out.json ".runs[2].dead")" = false &&
	test "$(json_get out.json ".runs[2].start_time")" = 1000000 &&
	test "$(json_get out.json ".runs[2].source_name")" = recipes/churn.yaml &&
	test "$(json_get out.json ".runs[2].params.max_depth")" = 6 &&
	test "$(json_get out.json ".runs[2].metrics.auc.value")" = 0.91 &&
	test "$(json_get out.json ".runs[2].metrics.auc.step")" = 2 &&
	test "$(json_get out.json ".runs[2].metrics.logloss.value")" = NaN &&
	test "$(json_get out.json ".runs[1].metrics.big.value")" = Infinity &&
	test "$(json_get out.json ".runs[2].tags.team")" = ml &&
	test "$(json_get out.json ".runs[2].tags[\"mlflow.runName\"]")" = alpha &&
	test "$(json_get out.json ".runs[0].kind")" = tune &&
	test "$(json_get out.json ".runs[0].tags[\"mmp.error\"]")" = "out of memory" &&
	test "$(json_get out.json ".runs[0].parent_run_id")" = null
'

test_expect_success JQ 'list --experiment, --max, --order-by' '
	mmp runs list --experiment churn --json >o &&
	test "$(json_get o "[.runs[].run_name] | join(\",\")")" = beta,alpha &&
	mmp runs list --experiment churn --experiment fraud --max 2 --json >o &&
	test "$(json_get o "[.runs[].run_name] | join(\",\")")" = gamma,beta &&
	mmp runs list --order-by "metrics.auc ASC" --json >o &&
	test "$(json_get o "[.runs[].run_name] | join(\",\")")" = gamma,alpha,beta &&
	mmp runs list --order-by "params.max_depth DESC" \
		--order-by "attributes.start_time" --json >o &&
	test "$(json_get o "[.runs[].run_name] | join(\",\")")" = beta,alpha,gamma
'

test_expect_success 'list: unknown experiment suggests the closest' '
	test_expect_code 1 mmp runs list --experiment chrun 2>err &&
	test_grep "^error: no experiment named .chrun.; did you mean .churn.\?$" err
'

test_expect_success 'list: bad --max and arguments are usage errors' '
	test_expect_code 129 mmp runs list --max 0 2>err &&
	test_grep "option .--max. expects a positive number" err &&
	test_expect_code 129 mmp runs list --max x 2>err &&
	test_expect_code 129 mmp runs list extra 2>err &&
	test_grep "takes no arguments" err &&
	test_expect_code 129 mmp runs show "" 2>err &&
	test_grep "^error: a run must be given as an id, a prefix or a name" err &&
	test_expect_code 129 mmp runs lsit 2>err &&
	test_grep "unknown sub-command .lsit.; did you mean .list.\?" err &&
	test_expect_code 129 mmp runs 2>err
'

test_expect_success 'list: a bad order-by key names it' '
	test_expect_code 1 mmp runs list --order-by "metrics.auc SIDEWAYS" 2>err &&
	test_grep "^error: invalid order-by .metrics.auc SIDEWAYS.: invalid filter at column 13: expected ASC, DESC or the end" err &&
	test_expect_code 1 mmp runs list --order-by "datasets.name" 2>err &&
	test_grep "cannot order by a dataset field" err
'

test_expect_success 'show: a unique prefix, a run name, the full record' '
	mmp runs show $(echo $A | cut -c1-6) >by-prefix &&
	mmp runs show alpha >by-name &&
	test_cmp by-prefix by-name &&
	test_grep "^run +$A$" by-name &&
	test_grep "^experiment +churn \([0-9]+\)$" by-name &&
	test_grep "^  max_depth +6$" by-name &&
	test_grep "^  auc +0.9100 \(step 2\)$" by-name &&
	test_grep "^  logloss +NaN" by-name &&
	test_grep "^  train \(training\) digest 3f2a9c, 1000 rows x 12 columns" by-name &&
	test_grep "^  model/model.json +2048  0123456789ab$" by-name
'

test_expect_success JQ 'show --json: datasets and artifacts' '
	mmp runs show $A --json >o &&
	test "$(json_get o .run.run_id)" = "$A" &&
	test "$(json_get o ".run.datasets[0].name")" = train &&
	test "$(json_get o ".run.datasets[0].digest")" = 3f2a9c &&
	test "$(json_get o ".run.datasets[0].rows")" = 1000 &&
	test "$(json_get o ".run.datasets[0].columns")" = 12 &&
	test "$(json_get o ".run.datasets[0].context")" = training &&
	test "$(json_get o ".run.datasets[0].schema.cols[0]")" = a &&
	test "$(json_get o ".run.artifacts[0].path")" = model/model.json &&
	test "$(json_get o ".run.artifacts[0].size")" = 2048 &&
	test "$(json_get o ".run.artifacts[0].sha256")" = $SHA
'

test_expect_success 'show: unknown run, too short prefix, usage' '
	test_expect_code 1 mmp runs show nosuchrun 2>err &&
	test_grep "^error: no run .nosuchrun. \(neither a run id prefix nor a run name\)$" err &&
	test_expect_code 1 mmp runs show $(echo $A | cut -c1-2) 2>err &&
	test_grep "^error: run id prefix .$(echo $A | cut -c1-2). is too short: give at least 4 hex digits$" err &&
	test_expect_code 129 mmp runs show 2>err &&
	test_expect_code 129 mmp runs show a b 2>err
'

test_expect_success SQLITE3 'an ambiguous prefix lists the candidates' '
	sqlw "$DB" "INSERT INTO runs (run_uuid, experiment_id, name, status,
		start_time, artifact_uri) VALUES
		(\"abcd0000000000000000000000000001\", 0, \"x1\", \"FINISHED\", 1, \"a\"),
		(\"abcd0000000000000000000000000002\", 0, \"x2\", \"FINISHED\", 2, \"a\")" &&
	test_expect_code 1 mmp runs show abcd 2>err &&
	test_grep "^error: run id prefix .abcd. is ambiguous; the candidates are:$" err &&
	test_grep "^  abcd0000000000000000000000000001 x1$" err &&
	test_grep "^  abcd0000000000000000000000000002 x2$" err &&
	mmp runs show abcd0000000000000000000000000002 >out &&
	test_grep "^name +x2$" out &&
	test_expect_code 1 mmp runs show ABCD0 2>err &&
	test_grep "ambiguous" err &&
	sqlw "$DB" "DELETE FROM runs WHERE run_uuid LIKE \"abcd%\""
'

test_expect_success 'compare: only differing rows, deltas against the first' '
	mmp runs compare alpha beta >out &&
	cat >expect <<-EOF &&
	KEY               $(echo $A | cut -c1-8) alpha  $(echo $B | cut -c1-8) beta
	params.max_depth  6               8
	metrics.auc       0.9100          0.9300 (+0.0200)
	metrics.big       -               Infinity
	metrics.logloss   NaN             -
	EOF
	test_cmp expect out
'

test_expect_success 'compare --all --md: a Markdown table of every row' '
	mmp runs compare alpha beta --all --md >out &&
	cat >expect <<-EOF &&
	| key | $(echo $A | cut -c1-8) alpha | $(echo $B | cut -c1-8) beta |
	|---|---|---|
	| params.eta | 0.1 | 0.1 |
	| params.max_depth | 6 | 8 |
	| metrics.auc | 0.9100 | 0.9300 (+0.0200) |
	| metrics.big | - | Infinity |
	| metrics.logloss | NaN | - |
	EOF
	test_cmp expect out
'

test_expect_success JQ 'compare --json: values and deltas' '
	mmp runs compare alpha beta gamma --json >o &&
	test "$(json_get o ".runs | length")" = 3 &&
	test "$(json_get o ".rows[] | select(.key == \"metrics.auc\") | .values | join(\",\")")" = 0.91,0.93,0.7 &&
	test "$(json_get o ".rows[] | select(.key == \"metrics.auc\") | .deltas[0]")" = 0 &&
	test "$(json_get o ".rows[] | select(.key == \"metrics.auc\") | .deltas[2] * 100 | round")" = -21 &&
	test "$(json_get o ".rows[] | select(.key == \"params.eta\") | .values[2]")" = null &&
	test "$(json_get o ".rows[] | select(.key == \"params.eta\") | .type")" = param
'

test_expect_success 'compare: usage errors' '
	test_expect_code 129 mmp runs compare alpha 2>err &&
	test_grep "needs at least two runs" err &&
	test_expect_code 129 mmp runs compare alpha beta --json --md 2>err &&
	test_grep "cannot be used together" err &&
	test_expect_code 1 mmp runs compare alpha nosuch 2>err &&
	test_grep "^error: no run .nosuch." err
'

test_expect_success 'history: every value of a metric by step' '
	mmp runs history alpha auc >out &&
	cat >expect <<-EOF &&
	STEP  VALUE   TIMESTAMP
	   1  0.8000  1970-01-01T00:16:40Z
	   2  0.9100  1970-01-01T00:16:40Z
	EOF
	test_cmp expect out &&
	test_expect_code 1 mmp runs history alpha acu 2>err &&
	test_grep "^error: run .$A. has no metric .acu.; did you mean .auc.\?$" err &&
	test_expect_code 129 mmp runs history alpha 2>err
'

test_expect_success JQ 'history --json, NaN included' '
	mmp runs history alpha logloss --json >o &&
	test "$(json_get o .key)" = logloss &&
	test "$(json_get o ".history[0].value")" = NaN &&
	mmp runs history alpha auc --json >o &&
	test "$(json_get o ".history | map(.step) | join(\",\")")" = 1,2 &&
	test "$(json_get o ".history[1].timestamp")" = 1000200
'

# a run whose process is killed stays RUNNING until the next writer
start_hanging() {
	rm -f hang.out || return 1
	$W "$DB" hang --name "$1" >hang.out &
	echo $! >hang.pid &&
	test_bg_register $(cat hang.pid) &&
	i=0 &&
	while ! test -s hang.out && test $i -lt 100
	do
		sleep 0.1; i=$((i + 1))
	done &&
	test -s hang.out
}

test_expect_success JQ 'a killed run is marked FAILED and its tmp dir removed' '
	start_hanging doomed &&
	read id tmp <hang.out &&
	test -d "$tmp" && echo partial >"$tmp/model.json" &&
	mmp runs list --json >o &&
	test "$(json_get o ".runs[] | select(.run_id == \"$id\") | .status")" = RUNNING &&
	pid=$(cat hang.pid) &&
	kill -9 $pid && { wait $pid || true; } &&
	mmp runs list --json >o &&
	test "$(json_get o ".runs[] | select(.run_id == \"$id\") | .status")" = FAILED &&
	test "$(json_get o ".runs[] | select(.run_id == \"$id\") | .tags[\"mmp.error\"]")" = "process $pid on $(hostname) died" &&
	test "$(json_get o ".runs[] | select(.run_id == \"$id\") | .end_time")" = \
		"$(json_get o ".runs[] | select(.run_id == \"$id\") | .heartbeat_time")" &&
	! test -e "$tmp"
'

test_expect_success SQLITE3,JQ 'a run on another host dies when its heartbeat is old' '
	start_hanging remote &&
	read id tmp <hang.out &&
	sqlw "$DB" "UPDATE runs SET hostname = \"elsewhere\",
		heartbeat_time = 5000 WHERE run_uuid = \"$id\"" &&
	mmp runs show $id --json >o &&
	test "$(json_get o .run.status)" = FAILED &&
	test "$(json_get o .run.end_time)" = 5000 &&
	test "$(json_get o ".run.tags[\"mmp.error\"]")" = "process $(cat hang.pid) on elsewhere died" &&
	kill -9 $(cat hang.pid) && { wait $(cat hang.pid) || true; }
'

test_expect_success SQLITE3,JQ 'a recent heartbeat from another host keeps it RUNNING' '
	start_hanging away &&
	read id tmp <hang.out &&
	sqlw "$DB" "UPDATE runs SET hostname = \"elsewhere\" WHERE run_uuid = \"$id\"" &&
	kill -9 $(cat hang.pid) && { wait $(cat hang.pid) || true; } &&
	mmp runs show $id --json >o &&
	test "$(json_get o .run.status)" = RUNNING &&
	test "$(json_get o .run.dead)" = false &&
	mmp runs mark-failed $(echo $id | cut -c1-10) 2>err &&
	test_grep "^marked run $id FAILED$" err &&
	mmp runs show $id --json >o &&
	test "$(json_get o .run.status)" = FAILED &&
	test "$(json_get o ".run.tags[\"mmp.error\"]")" = "marked failed with '"'"'mmp runs mark-failed'"'"'" &&
	test_expect_code 1 mmp runs mark-failed $id 2>err &&
	test_grep "^error: run .$id. is not running \(it is FAILED\)$" err
'

test_expect_success 'every sub-command answers -h with its usage' '
	for s in list show compare history mark-failed
	do
		mmp runs $s -h >out && head -n 1 out | grep "^usage: mmp runs $s" &&
		mmp help runs $s >out2 && test_cmp out out2 || return 1
	done
'

test_expect_success 'list: wide characters keep the columns aligned' '
	mmp init -q wide &&
	$W "$PWD/wide/.mmp/mmp.db" start --experiment "实验 ü" --name "名前" : end @ FINISHED >/dev/null &&
	$W "$PWD/wide/.mmp/mmp.db" start --experiment plain --name plain : end @ FINISHED >/dev/null &&
	(cd wide && mmp runs list >../wide.out) &&
	h=$(head -n 1 wide.out | awk "{ print index(\$0, \"STATUS\") }") &&
	p=$(grep plain wide.out | awk "{ print index(\$0, \"FINISHED\") }") &&
	w=$(grep "名前" wide.out | awk "{ print index(\$0, \"FINISHED\") }") &&
	test "$p" = "$h" &&
	test "$w" = $((h + 5))
'

test_done
