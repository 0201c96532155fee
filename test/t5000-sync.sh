#!/bin/sh
# t5000-sync: mmp sync pushes a trained run to the loopback fake MLflow
# server: what arrives, once, in batches within the limits

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

test_expect_success 'set up a project with a trained run and a server' '
	mmp init -q proj &&
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --json \
		>../train.json) &&
	fake_start fake &&
	fake_url fake >url
'

test_expect_success JQ 'status counts everything as pending before a push' '
	(cd proj && mmp sync status --tracking-uri "$(cat ../url)" --json \
		>../st.json) &&
	test "$(json_get st.json .remote)" = "$(cat url)" &&
	test "$(json_get st.json .known)" = false &&
	test "$(json_get st.json .runs_ended)" = 1 &&
	test "$(json_get st.json .runs_pending)" = 1 &&
	test "$(json_get st.json .pending.experiments)" = 1 &&
	test "$(json_get st.json .pending.runs)" = 1 &&
	test "$(json_get st.json .pending.metrics)" = \
		"$(sql $DB "SELECT count(*) FROM metrics")" &&
	test "$(json_get st.json .pending.params)" = \
		"$(sql $DB "SELECT count(*) FROM params")" &&
	test "$(json_get st.json .pending.artifacts)" = \
		"$(sql $DB "SELECT count(*) FROM artifacts")" &&
	test "$(json_get st.json .pending.artifact_bytes)" = \
		"$(sql $DB "SELECT sum(size) FROM artifacts")" &&
	test "$(json_get st.json .last_error)" = null
'

test_expect_success JQ '--dry-run sends nothing and writes nothing' '
	(cd proj && mmp sync --dry-run --tracking-uri "$(cat ../url)" \
		--json >../dry.json) &&
	test_must_be_empty fake.log &&
	test "$(json_get dry.json .dry_run)" = true &&
	test "$(json_get dry.json .requests)" = 0 &&
	test "$(json_get dry.json .pending.runs)" = 1 &&
	test "$(sql $DB "SELECT count(*) FROM sync_remotes")" = 0 &&
	(cd proj && mmp sync -n --tracking-uri "$(cat ../url)" >../dry.txt) &&
	test_grep "^would push to $(cat url) .1 of 1 ended runs" dry.txt &&
	test_grep "^  runs to create  *1$" dry.txt &&
	test_must_be_empty fake.log
'

test_expect_success JQ 'a push sends the experiment, the run and all of it' '
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json \
		>../push.json) &&
	test "$(json_get push.json .status)" = ok &&
	test "$(json_get push.json .sent.runs)" = 1 &&
	test "$(json_get push.json .sent.runs_completed)" = 1 &&
	test "$(json_get push.json .retries)" = 0 &&
	fake_state fake state.json &&
	run=$(json_get train.json .run_id) &&
	test "$(jq "[.experiments[] | select(.name == \"breast-cancer\")] |
		length" state.json)" = 1 &&
	test "$(jq ".runs | length" state.json)" = 1 &&
	jq ".runs[0]" state.json >r.json &&
	test "$(json_get r.json ".data.tags[] |
		select(.key == \"mmp.run_id\") | .value")" = "$run" &&
	test "$(json_get r.json .info.status)" = FINISHED &&
	test "$(json_get r.json .info.start_time)" = \
		"$(sql $DB "SELECT start_time FROM runs")" &&
	test "$(json_get r.json .info.end_time)" = \
		"$(sql $DB "SELECT end_time FROM runs")" &&
	test "$(json_get r.json .info.run_name)" = \
		"$(json_get train.json .run_name)" &&
	test "$(json_get r.json .info.user_id)" = \
		"$(sql $DB "SELECT user_id FROM runs")" &&
	test "$(json_get r.json .info.experiment_id)" = \
		"$(jq -r ".experiments[] | select(.name == \"breast-cancer\") |
		.experiment_id" state.json)"
'

test_expect_success JQ 'params, tags and every metric value arrived' '
	json_get r.json ".data.params[] | \"\(.key)=\(.value)\"" |
		sort >remote-params &&
	sql $DB "SELECT key || \"=\" || value FROM params" | sort \
		>local-params &&
	test_cmp local-params remote-params &&
	json_get r.json ".history[] | \"\(.key) \(.step) \(.timestamp)\"" |
		sort >remote-metrics &&
	sql $DB "SELECT key, step, timestamp FROM metrics" | tr "|" " " |
		sort >local-metrics &&
	test_cmp local-metrics remote-metrics &&
	json_get r.json ".data.tags[] | \"\(.key)=\(.value)\"" |
		sort >remote-tags &&
	sql $DB "SELECT key || \"=\" || value FROM tags" >local-tags &&
	while read t; do grep -Fx "$t" remote-tags || return 1; done \
		<local-tags &&
	test_grep "^mmp.dataset.training.digest=$(json_get train.json \
		.dataset.digest)$" remote-tags &&
	test_grep "^mmp.dataset.training.rows=569$" remote-tags
'

test_expect_success JQ 'a metric value is the same number on both sides' '
	local=$(sql $DB "SELECT printf(\"%.17g\", value) FROM metrics
		WHERE key = \"roc_auc\" ORDER BY rowid DESC LIMIT 1") &&
	remote=$(json_get r.json "[.history[] | select(.key == \"roc_auc\")]
		| last | .value") &&
	jq -n "$local == $remote" | grep -x true
'

test_expect_success JQ 'the artifacts, MLmodel included, arrived byte for byte' '
	root=$(json_get r.json .info.artifact_uri | sed "s|^mlflow-artifacts:/||") &&
	sql $DB "SELECT path || \" \" || size FROM artifacts" | sort >local-arts &&
	jq -r ".artifacts[] | \"\(.path) \(.size)\"" state.json |
		sed "s|^$root/||" | sort >remote-arts &&
	test_cmp local-arts remote-arts &&
	dir=$(json_get train.json .artifact_dir) &&
	curl -sf "$(cat url)/api/2.0/mlflow-artifacts/artifacts/$root/model/MLmodel" \
		>MLmodel &&
	remote_run=$(json_get r.json .info.run_id) &&
	run=$(json_get train.json .run_id) &&
	test_grep "^run_id: $run$" "$dir/model/MLmodel" &&
	sed "s/^run_id: $run$/run_id: $remote_run/" "$dir/model/MLmodel" \
		>expect-MLmodel &&
	test_cmp expect-MLmodel MLmodel &&
	test_grep "^run_id: $remote_run$" MLmodel &&
	sql $DB "SELECT sha256 FROM artifacts WHERE path = \"model/MLmodel\"" \
		>sha-logged &&
	sha256sum "$dir/model/MLmodel" | cut -c1-64 >sha-now &&
	test_cmp sha-logged sha-now &&
	curl -sf "$(cat url)/api/2.0/mlflow-artifacts/artifacts/$root/model/model.ubj" \
		>model.ubj &&
	test_cmp "$dir/model/model.ubj" model.ubj
'

test_expect_success JQ 'the requests were the expected ones' '
	test "$(grep -c "runs/create" fake.log)" = 1 &&
	test "$(grep -c "experiments/create" fake.log)" = 1 &&
	test "$(grep -c "^PUT " fake.log)" = \
		"$(sql $DB "SELECT count(*) FROM artifacts")" &&
	test "$(grep "runs/update" fake.log | wc -l)" = 1 &&
	grep -v "^GET /__fake\|^GET /api/2.0/mlflow-artifacts" fake.log |
		tail -n 1 | grep "^POST /api/2.0/mlflow/runs/update"
'

test_expect_success JQ 'a second push sends nothing' '
	: >fake.log &&
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json \
		>../again.json) &&
	test_must_be_empty fake.log &&
	test "$(json_get again.json .requests)" = 0 &&
	test "$(json_get again.json .runs_up_to_date)" = 1 &&
	(cd proj && mmp sync status --tracking-uri "$(cat ../url)" --json \
		>../st.json) &&
	test "$(json_get st.json .known)" = true &&
	test "$(json_get st.json .runs_pending)" = 0 &&
	test "$(json_get st.json ".pending | add")" = 0 &&
	test "$(json_get st.json ".last_push_time > 0")" = true
'

test_expect_success JQ 'the dataset arrived through runs/log-inputs' '
	curl -sf "$(cat url)/api/2.0/mlflow/runs/get?run_id=$(json_get r.json \
		.info.run_id)" >get.json &&
	test "$(jq ".run.inputs.dataset_inputs | length" get.json)" = 1 &&
	jq ".run.inputs.dataset_inputs[0]" get.json >input.json &&
	test "$(json_get input.json ".tags[] |
		select(.key == \"mlflow.data.context\") | .value")" = training &&
	jq .dataset input.json >ds.json &&
	digest=$(sql $DB "SELECT digest FROM dataset_inputs") &&
	test "$(json_get ds.json .digest)" = "$(echo "$digest" | cut -c1-36)" &&
	test "$(json_get ds.json .name)" = \
		"$(sql $DB "SELECT name FROM dataset_inputs")" &&
	test "$(json_get ds.json .source_type)" = local &&
	test "$(json_get ds.json .source | jq -r .uri)" = \
		"$(sql $DB "SELECT source FROM dataset_inputs")" &&
	json_get ds.json .schema | jq -c . >remote-schema &&
	sql $DB "SELECT schema FROM dataset_inputs" | jq -c . >local-schema &&
	test_cmp local-schema remote-schema &&
	test "$(json_get ds.json .profile | jq -c .)" = \
		"{\"num_rows\":569,\"num_elements\":$((569 * 31))}"
'

test_expect_success JQ 'the model is on the run as MLflow logs it' '
	json_get get.json ".run.data.tags[] |
		select(.key == \"mlflow.log-model.history\") | .value" >hist &&
	test "$(jq length hist)" = 1 &&
	jq ".[0]" hist >entry.json &&
	test "$(json_get entry.json .run_id)" = "$(json_get r.json .info.run_id)" &&
	test "$(json_get entry.json .artifact_path)" = model &&
	dir=$(json_get train.json .artifact_dir) &&
	test "$(json_get entry.json .model_uuid)" = \
		"$(sed -n "s/^model_uuid: //p" "$dir/model/MLmodel")" &&
	test "$(json_get entry.json .utc_time_created)" = \
		"$(sed -n "s/^utc_time_created: .\(.*\).$/\1/p" "$dir/model/MLmodel")" &&
	test "$(json_get entry.json ".flavors | keys | join(\",\")")" = \
		python_function,xgboost &&
	test "$(json_get entry.json .flavors.xgboost.model_format)" = ubj &&
	test "$(json_get entry.json .flavors.xgboost.code)" = null &&
	test "$(json_get entry.json ".flavors.python_function.env.conda")" = \
		conda.yaml
'

test_expect_success JQ 'a push stopped after log-model logs the model once' '
	sql $DB "DELETE FROM sync_sent WHERE kind = \"run.model\"" &&
	sql $DB "UPDATE sync_runs SET status_sent = NULL" &&
	: >fake.log &&
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json \
		>../relog.json) &&
	! grep "runs/log-model" fake.log &&
	test_grep "runs/get" fake.log &&
	curl -sf "$(cat url)/api/2.0/mlflow/runs/get?run_id=$(json_get r.json \
		.info.run_id)" >get2.json &&
	test "$(json_get get2.json ".run.data.tags[] |
		select(.key == \"mlflow.log-model.history\") | .value" |
		jq length)" = 1 &&
	test "$(sql $DB "SELECT value FROM sync_sent
		WHERE kind = \"run.model\"")" = "$(json_get entry.json .model_uuid)" &&
	: >fake.log
'

test_expect_success JQ 'a tag set later is pushed, nothing else' '
	run=$(json_get train.json .run_id) &&
	store-writer $DB tag $run team=vision >/dev/null &&
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json \
		>../tag.json) &&
	test "$(json_get tag.json .sent.runs)" = 0 &&
	test "$(json_get tag.json .sent.metrics)" = 0 &&
	test "$(json_get tag.json .sent.artifacts)" = 0 &&
	test "$(grep -c . fake.log)" = 1 &&
	test_grep "runs/log-batch params=0 metrics=0 tags=" fake.log &&
	fake_state fake state.json &&
	test "$(jq -r ".runs[0].data.tags[] | select(.key == \"team\") |
		.value" state.json)" = vision
'

test_expect_success JQ 'chunks: 2500 metrics and 250 params in 3 batches each' '
	m=$(awk "BEGIN { for (i = 0; i < 2500; i++) {
		if (i % 50 == 0) printf \": metric @ \";
		printf \"m%d=%d@%d@%d \", i % 7, i, i, 1000 + i } }") &&
	p=$(awk "BEGIN { for (i = 0; i < 250; i++) {
		if (i % 50 == 0) printf \": param @ \";
		printf \"p%03d=%d \", i, i } }") &&
	store-writer $DB start --experiment big --name big --start 5000 \
		$m $p : end @ FINISHED >big.out &&
	big=$(head -n 1 big.out) &&
	test "$(sql $DB "SELECT count(*) FROM metrics
		WHERE run_uuid = \"$big\"")" = 2500 &&
	: >fake.log &&
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json \
		>../big.json) &&
	grep "log-batch params=0 metrics=[1-9]" fake.log >mbatches &&
	test_line_count = 3 mbatches &&
	test_grep "metrics=1000 tags=0$" mbatches &&
	test "$(sed -n "s/.*metrics=\([0-9]*\).*/\1/p" mbatches | tr "\n" " ")" = \
		"1000 1000 500 " &&
	grep "log-batch params=[1-9]" fake.log >pbatches &&
	test "$(sed -n "s/.*params=\([0-9]*\).*/\1/p" pbatches | tr "\n" " ")" = \
		"100 100 50 " &&
	test "$(json_get big.json .log_batch_calls)" = 6 &&
	fake_state fake state.json &&
	jq ".runs[] | select(any(.data.tags[]; .key == \"mmp.run_id\" and
		.value == \"$big\"))" state.json >b.json &&
	test "$(jq ".history | length" b.json)" = 2500 &&
	test "$(jq ".data.params | length" b.json)" = 250 &&
	test "$(jq "[.history[] | \"\(.key)/\(.step)\"] | unique | length" \
		b.json)" = 2500 &&
	test "$(jq ".info.start_time" b.json)" = 5000
'

test_expect_success JQ 'NaN and infinities go as MLflow strings' '
	store-writer $DB start --experiment odd --name odd : \
		metric @ a=nan b=inf c=-inf d=0.1 : end @ FINISHED >odd.out &&
	odd=$(head -n 1 odd.out) &&
	(cd proj && mmp sync --tracking-uri "$(cat ../url)") >/dev/null &&
	fake_state fake state.json &&
	jq ".runs[] | select(any(.data.tags[]; .value == \"$odd\")) |
		.history | map({(.key): .value}) | add" state.json >v.json &&
	test "$(jq -c . v.json)" = \
		"{\"a\":\"NaN\",\"b\":1.7976931348623157e+308,\"c\":-1.7976931348623157e+308,\"d\":0.1}"
'

test_expect_success JQ 'a running run waits; --run pushes one ended run' '
	store-writer $DB hang --experiment wip --name wip >wip.out &
	echo $! >wip.pid &&
	test_bg_register $(cat wip.pid) &&
	wait_for_line wip.out . &&
	(cd proj && mmp sync status --tracking-uri "$(cat ../url)" \
		--json >../st.json) &&
	test "$(json_get st.json .runs_running)" = 1 &&
	test "$(json_get st.json .runs_pending)" = 0 &&
	store-writer $DB start --experiment one --name one : end @ FAILED \
		>one.out &&
	(cd proj && mmp sync --run one --tracking-uri "$(cat ../url)" \
		--json >../one.json) &&
	test "$(json_get one.json .runs_seen)" = 1 &&
	test "$(json_get one.json .sent.runs)" = 1 &&
	fake_state fake state.json &&
	test "$(jq -r ".runs[] | select(.info.run_name == \"one\") |
		.info.status" state.json)" = FAILED &&
	test_expect_code 1 sh -c "cd proj && mmp sync --run wip \
		--tracking-uri \"$(cat url)\"" 2>err &&
	test_grep "^error: cannot push to .*: run $(cut -d" " -f1 wip.out) has not ended" err &&
	kill -9 "$(cat wip.pid)"
'

test_expect_success 'tracking.uri and MLFLOW_TRACKING_URI name the server' '
	(cd proj && mmp -c tracking.uri="$(cat ../url)" sync status) >st.txt &&
	test_grep "^remote: $(cat url)$" st.txt &&
	(cd proj && MLFLOW_TRACKING_URI=$(cat ../url) mmp sync status) >st.txt &&
	test_grep "^remote: $(cat url)$" st.txt &&
	test_expect_code 1 sh -c "cd proj && mmp sync" 2>err &&
	test_grep "^error: no tracking server: set tracking.uri" err
'

test_expect_success 'usage errors' '
	test_expect_code 129 mmp sync --bogus 2>err &&
	test_expect_code 129 mmp sync extra 2>err &&
	test_grep "too many arguments" err &&
	test_expect_code 129 mmp sync --retries -3 2>err &&
	test_expect_code 129 sh -c "cd proj && mmp sync status extra" 2>err &&
	test_expect_code 1 sh -c "cd proj && mmp sync --run nosuchrun \
		--tracking-uri http://127.0.0.1:9" 2>err &&
	test_grep "^error: cannot push run .nosuchrun." err &&
	test_expect_code 1 sh -c "cd proj && mmp sync \
		--tracking-uri ftp://example.com" 2>err &&
	test_grep "unsupported scheme .ftp." err
'

test_done
