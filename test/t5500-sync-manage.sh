#!/bin/sh
# t5500-sync-manage: changes made after a push reach the MLflow server on
# the next one: run and experiment deletes, restores and renames, removed
# run tags, model descriptions and tags, removed version tags

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB="$TRASH_DIRECTORY/proj/.mmp/mmp.db"

sync_json() {
	(cd proj && mmp sync --tracking-uri "$(fake_url fake)" --json "$@") \
		>out.json 2>err
}

# state: the fake server's runs, experiments and models, in state.json
state() {
	fake_state fake state.json
}

# remote run by its local id: FILTER on it
rrun() {
	jq -r ".runs[] | select(any(.data.tags[]; .key == \"mmp.run_id\" and
		.value == \"$1\")) | $2" state.json
}

rexp() {
	jq -r ".experiments[] | select(.experiment_id == \"$1\") | $2" state.json
}

test_expect_success 'set up runs in two experiments and a model, pushed' '
	mmp init -q proj &&
	store-writer "$DB" start --experiment e1 --name one : \
		tag @ a=1 b=2 : end @ FINISHED \
		: start --experiment e1 --name two : end @ FINISHED \
		: start --experiment e2 --name three : end @ FINISHED >ids &&
	R=$("$HELPERS/registry-run" "$DB" FINISHED auc=0.9) &&
	(cd proj && mmp register $R --name cancer --tag owner=bob >/dev/null) &&
	fake_start fake &&
	sync_json &&
	test "$(json_get out.json .status)" = ok &&
	state &&
	A=$(sed -n 1p ids) && B=$(sed -n 2p ids) && C=$(sed -n 3p ids) &&
	echo "A=$A B=$B C=$C" >vars &&
	test "$(rrun $A ".data.tags[] | select(.key == \"b\") | .value")" = 2 &&
	E2=$(rrun $C .info.experiment_id) && echo "E2=$E2" >>vars
'
. ./vars 2>/dev/null

test_expect_success JQ 'changes here: status and --dry-run count them' '
	(cd proj &&
	 mmp -q runs tag one --unset b c=3 &&
	 mmp -q runs rename one first &&
	 mmp -q runs delete two &&
	 mmp -q experiments rename e2 e2-renamed &&
	 mmp -q models describe cancer "the churn model" &&
	 mmp -q models tag cancer team=ml &&
	 mmp -q models tag cancer v1 --unset owner stage=beta) &&
	: >fake.log &&
	(cd proj && mmp sync status --tracking-uri "$(fake_url fake)" --json) >st.json &&
	test "$(json_get st.json .pending.lifecycle)" = 1 &&
	test "$(json_get st.json .pending.renames)" = 2 &&
	test "$(json_get st.json .pending.tags_removed)" = 2 &&
	test "$(json_get st.json .pending.model_updates)" = 2 &&
	sync_json -n &&
	test "$(json_get out.json .pending.lifecycle)" = 1 &&
	test "$(json_get out.json .pending.renames)" = 2 &&
	test_must_be_empty fake.log
'

test_expect_success JQ 'a push carries every change, with MLflow calls' '
	sync_json &&
	test "$(json_get out.json .status)" = ok &&
	test "$(json_get out.json .sent.lifecycle)" = 1 &&
	test "$(json_get out.json .sent.renames)" = 2 &&
	test "$(json_get out.json .sent.tags_removed)" = 2 &&
	state &&
	test "$(rrun $A ".data.tags | map(select(.key == \"b\")) | length")" = 0 &&
	test "$(rrun $A ".data.tags[] | select(.key == \"c\") | .value")" = 3 &&
	test "$(rrun $A .info.run_name)" = first &&
	test "$(rrun $B .info.lifecycle_stage)" = deleted &&
	test "$(rrun $A .info.lifecycle_stage)" = active &&
	test "$(rexp $E2 .name)" = e2-renamed &&
	test "$(jq -r ".models[0].rm.description" state.json)" = "the churn model" &&
	test "$(jq -r ".models[0].rm.tags[] | select(.key == \"team\") | .value" state.json)" = ml &&
	test "$(jq -r ".models[0].versions[0].tags | map(select(.key == \"owner\")) | length" state.json)" = 0 &&
	test "$(jq -r ".models[0].versions[0].tags[] | select(.key == \"stage\") | .value" state.json)" = beta &&
	grep "^POST /api/2.0/mlflow/runs/delete-tag" fake.log &&
	grep -x "POST /api/2.0/mlflow/runs/delete" fake.log &&
	grep "^POST /api/2.0/mlflow/experiments/update" fake.log &&
	grep "^PATCH /api/2.0/mlflow/registered-models/update" fake.log &&
	grep "^POST /api/2.0/mlflow/registered-models/set-tag" fake.log &&
	grep "^DELETE /api/2.0/mlflow/model-versions/delete-tag" fake.log
'

test_expect_success JQ 'the next push has nothing left to send' '
	: >fake.log &&
	sync_json -n &&
	for k in lifecycle renames tags_removed model_updates tags runs versions
	do
		test "$(json_get out.json .pending.$k)" = 0 || return 1
	done
'

test_expect_success JQ 'restore, delete an experiment, remove tags: carried' '
	(cd proj &&
	 mmp -q runs restore two &&
	 mmp -q experiments delete e2-renamed &&
	 mmp -q models tag cancer --unset team &&
	 mmp -q models describe cancer "") &&
	sync_json &&
	state &&
	test "$(rrun $B .info.lifecycle_stage)" = active &&
	test "$(rexp $E2 .lifecycle_stage)" = deleted &&
	test "$(rrun $C .info.lifecycle_stage)" = deleted &&
	test "$(jq -r ".models[0].rm.tags // [] | length" state.json)" = 0 &&
	test "$(jq -r ".models[0].rm.description" state.json)" = "" &&
	grep "^POST /api/2.0/mlflow/runs/restore" fake.log &&
	grep "^POST /api/2.0/mlflow/experiments/delete" fake.log &&
	grep "^DELETE /api/2.0/mlflow/registered-models/delete-tag" fake.log
'

test_expect_success JQ 'restoring the experiment restores it and its runs there' '
	(cd proj && mmp -q experiments restore e2-renamed) &&
	sync_json &&
	state &&
	test "$(rexp $E2 .lifecycle_stage)" = active &&
	test "$(rrun $C .info.lifecycle_stage)" = active &&
	grep "^POST /api/2.0/mlflow/experiments/restore" fake.log &&
	sync_json -n &&
	test "$(json_get out.json .pending.lifecycle)" = 0
'

test_expect_success JQ '--run sends the deletion of a pushed run' '
	(cd proj && mmp -q runs delete two) &&
	sync_json --run $B &&
	test "$(json_get out.json .sent.lifecycle)" = 1 &&
	state &&
	test "$(rrun $B .info.lifecycle_stage)" = deleted &&
	test "$(rrun $A .info.lifecycle_stage)" = active
'

test_expect_success '--run of a deleted run never pushed says so' '
	store-writer "$DB" start --experiment e1 --name local : \
		end @ FINISHED >local.id &&
	(cd proj && mmp -q runs delete local) &&
	test_expect_code 1 sync_json --run "$(cat local.id)" &&
	test_grep "^error: .*run $(cat local.id) is deleted and was never pushed here: restore it with .mmp runs restore $(cat local.id). to push it$" err
'

test_expect_success 'gc forgets what was sent of the runs it removes' '
	(cd proj && mmp -q gc) &&
	test "$(sql "$DB" "SELECT count(*) FROM sync_sent WHERE subject = \"$B\"")" = 0 &&
	test "$(sql "$DB" "SELECT count(*) FROM sync_sent WHERE subject = \"$A\"")" -gt 0
'

test_done
