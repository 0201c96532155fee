#!/bin/sh
# t5400-sync-registry: a trained, registered, approved and promoted model
# pushed to the fake MLflow server: versions with resolved sources,
# stages, aliases and approval tags, once, and changes later

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

sync_json() {
	(cd proj && mmp sync --tracking-uri "$(fake_url "$1")" --json) \
		>"$2" 2>"$2.err"
}

# model_json SERVER: the fake server's record of model bc, in bc.json
model_json() {
	fake_state "$1" state.json &&
	jq ".models[] | select(.rm.name == \"bc\")" state.json >bc.json
}

# vfield VERSION FILTER: a field of remote version VERSION of bc
vfield() {
	jq -r ".versions[] | select(.version == \"$1\") | $2" bc.json
}

test_expect_success 'set up: two runs, registered, approved, promoted' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml >../run1 &&
	 mmp train -q --recipe recipes/breast-cancer.yaml >../run2 &&
	 mmp register "$(cat ../run1)" --name bc --description first &&
	 mmp register "$(cat ../run2)" --name bc --tag team=ml &&
	 mmp approve bc 1 &&
	 mmp approve bc 1 --by alice --notes "looks good" &&
	 mmp approve bc 2 &&
	 mmp approve bc 2 --by bob &&
	 mmp promote bc 1 Production --by alice &&
	 mmp promote bc 2 Production --by bob &&
	 mmp alias bc champion 2 &&
	 mmp alias bc challenger 1) >setup.out &&
	fake_start fake
'

test_expect_success JQ 'status and --dry-run count the registry' '
	(cd proj && mmp sync status --tracking-uri "$(fake_url fake)" \
		--json) >st.json &&
	test "$(json_get st.json .pending.models)" = 1 &&
	test "$(json_get st.json .pending.versions)" = 2 &&
	test "$(json_get st.json .pending.stages)" = 2 &&
	test "$(json_get st.json .pending.aliases)" = 2 &&
	(cd proj && mmp sync -n --tracking-uri "$(fake_url fake)" \
		--json) >dry.json &&
	test "$(json_get dry.json .pending.versions)" = 2 &&
	test_must_be_empty fake.log
'

test_expect_success JQ 'a push sends the model, its versions, stages, aliases' '
	sync_json fake push.json &&
	test "$(json_get push.json .status)" = ok &&
	test "$(json_get push.json .sent.models)" = 1 &&
	test "$(json_get push.json .sent.versions)" = 2 &&
	test "$(json_get push.json .sent.stages)" = 2 &&
	test "$(json_get push.json .sent.aliases)" = 2 &&
	model_json fake &&
	test "$(jq ".versions | length" bc.json)" = 2 &&
	test "$(jq -r .rm.description bc.json)" = null &&
	test "$(vfield 1 .current_stage)" = Archived &&
	test "$(vfield 2 .current_stage)" = Production &&
	test "$(vfield 1 .description)" = first &&
	test "$(jq -c "[.aliases[] | \"\(.alias)=\(.version)\"] | sort" \
		bc.json)" = "[\"challenger=1\",\"champion=2\"]"
'

test_expect_success JQ 'each version points at its pushed run, resolved' '
	for v in 1 2
	do
		local_run=$(cat run$v) &&
		remote_run=$(jq -r ".runs[] | select(any(.data.tags[];
			.key == \"mmp.run_id\" and .value == \"$local_run\")) |
			.info.run_id" state.json) &&
		uri=$(jq -r ".runs[] | select(.info.run_id == \"$remote_run\") |
			.info.artifact_uri" state.json) &&
		test "$(vfield $v .run_id)" = "$remote_run" &&
		test "$(vfield $v .source)" = "$uri/model" &&
		case "$uri" in mlflow-artifacts:/*) ;; *) return 1;; esac &&
		root=${uri#mlflow-artifacts:/} &&
		jq -e ".artifacts[] | select(.path == \"$root/model/MLmodel\")" \
			state.json >/dev/null || return 1
	done
'

test_expect_success JQ 'each version keeps its registration time as a tag' '
	for v in 1 2
	do
		test "$(vfield $v ".tags[] | select(.key == \"mmp.registered_at\")
			| .value")" = "$(sql $DB "SELECT creation_time
			FROM model_versions WHERE version = $v")" || return 1
	done &&
	test "$(vfield 1 ".tags[] | select(.key == \"mmp.registered_at\") |
		.value")" -gt 0
'

test_expect_success JQ 'approvals arrive as mmp.approval.* version tags' '
	tags() {
		vfield $1 ".tags[] | \"\(.key)=\(.value)\"" | sort
	} &&
	tags 1 >t1 &&
	test_grep "^mmp.approval.decision=APPROVED$" t1 &&
	test_grep "^mmp.approval.actor=alice$" t1 &&
	test_grep "^mmp.approval.notes=looks good$" t1 &&
	test_grep "^mmp.approval.manual=true$" t1 &&
	test_grep "^mmp.registry.version=1$" t1 &&
	tags 2 >t2 &&
	test_grep "^mmp.approval.actor=bob$" t2 &&
	test_grep "^team=ml$" t2
'

test_expect_success JQ 'the promotion archived with archive_existing_versions' '
	grep "transition-stage" fake.log >tr &&
	test_line_count = 2 tr
'

test_expect_success JQ 'a second push sends nothing' '
	: >fake.log &&
	sync_json fake again.json &&
	test "$(json_get again.json .requests)" = 0 &&
	test_must_be_empty fake.log
'

test_expect_success JQ 'later changes: a promotion, a deleted alias, a new version' '
	(cd proj &&
	 mmp promote bc 1 Production --by alice &&
	 mmp alias bc challenger --delete) >later.out &&
	(cd proj && mmp register "$(cat ../run1)" --name bc \
		--tag note=again) >>later.out &&
	: >fake.log &&
	sync_json fake later.json &&
	test "$(json_get later.json .sent.versions)" = 1 &&
	test "$(json_get later.json .sent.aliases)" = 1 &&
	test_grep "^DELETE /api/2.0/mlflow/registered-models/alias" fake.log &&
	model_json fake &&
	test "$(vfield 1 .current_stage)" = Production &&
	test "$(vfield 2 .current_stage)" = \
		"$(sql $DB "SELECT current_stage FROM model_versions
		WHERE name = \"bc\" AND version = 2")" &&
	test "$(jq -c "[.aliases[] | .alias]" bc.json)" = "[\"champion\"]" &&
	test "$(vfield 3 ".tags[] | select(.key == \"note\") | .value")" = \
		again &&
	test "$(vfield 3 ".tags[] | select(.key == \"mmp.approval.decision\")")" = "" &&
	test "$(vfield 3 .run_id)" = "$(vfield 1 .run_id)" &&
	test "$(vfield 3 .current_stage)" = None
'

test_expect_success JQ 'killed while a version create is in flight' '
	fake_start k --stall-after model-versions/create:1 || return 1
	(cd proj && exec mmp sync --tracking-uri "$(fake_url k)" -q) \
		>kbg.out 2>kbg.err &
	pid=$! &&
	test_bg_register $pid &&
	wait_for_line k.log "model-versions/create" &&
	sleep 0.2 &&
	kill -9 $pid && { wait $pid 2>/dev/null; true; } &&
	: >k.log &&
	sync_json k k.json &&
	test "$(json_get k.json .status)" = ok &&
	test_grep "model-versions/search" k.log &&
	test "$(grep -c "model-versions/create" k.log)" = 2 &&
	model_json k &&
	test "$(jq ".versions | length" bc.json)" = 3 &&
	test "$(jq "[.versions[].tags[] | select(.key ==
		\"mmp.registry.version\") | .value] | sort | join(\",\")" \
		bc.json)" = "\"1,2,3\"" &&
	test "$(vfield 1 .current_stage)" = Production
'

test_done
