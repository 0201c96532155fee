#!/bin/sh
# t3000-register: mmp register: version numbers, what a run must hold,
# tags, bad input, two registers at once, the audit rows

. "$(dirname "$0")/test-lib.sh"

mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }

test_expect_success 'set up a store and runs' '
	mmp init -q proj &&
	DB=$PWD/proj/.mmp/mmp.db &&
	MMP_STORE=$PWD/proj/.mmp && export MMP_STORE &&
	MMP_USER=ci && export MMP_USER &&
	good=$(mkrun FINISHED accuracy=0.9) &&
	failed=$(mkrun FAILED accuracy=0.9) &&
	running=$(mkrun RUNNING accuracy=0.9) &&
	nomodel=$(mkrun FINISHED --no-model accuracy=0.9) &&
	echo "$good" >good && echo "$failed" >failed &&
	echo "$running" >running && echo "$nomodel" >nomodel
'

good=$(cat good 2>/dev/null); failed=$(cat failed 2>/dev/null)
running=$(cat running 2>/dev/null); nomodel=$(cat nomodel 2>/dev/null)
DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

test_expect_success 'the first register of a model is version 1' '
	mmp register "$good" --name churn >out &&
	echo "registered churn version 1 from run $(echo $good | cut -c1-8)" >expect &&
	test_cmp expect out
'

test_expect_success JQ 'the next is version 2, with tags, description, stage None' '
	mmp register "$(echo $good | cut -c1-6)" --name churn \
		--description "second try" --tag team=growth --tag ticket=42 \
		--json >v2.json &&
	test "$(json_get v2.json .schema_version)" = 1 &&
	test "$(json_get v2.json .model_version.version)" = 2 &&
	test "$(json_get v2.json .model_version.stage)" = None &&
	test "$(json_get v2.json .model_version.run_id)" = "$good" &&
	test "$(json_get v2.json .model_version.description)" = "second try" &&
	test "$(json_get v2.json .model_version.tags.team)" = growth &&
	test "$(json_get v2.json .model_version.tags.ticket)" = 42 &&
	test "$(json_get v2.json .model_version.user_id)" = ci &&
	test "$(json_get v2.json .model_version.approval)" = null &&
	dir=$(json_get v2.json .model_version.model_dir) &&
	test -f "$dir/MLmodel" &&
	case "$dir" in "$PWD/proj/.mmp/artifacts/"*/model) ;; *) false;; esac
'

test_expect_success SQLITE3 'the store holds the model, both versions and their tags' '
	test "$(sql $DB "SELECT name, last_version FROM registered_models")" = "churn|2" &&
	test "$(sql $DB "SELECT version, current_stage, run_id FROM model_versions ORDER BY version" | tr "\n" " ")" = \
		"1|None|$good 2|None|$good " &&
	test "$(sql $DB "SELECT key || \"=\" || value FROM model_version_tags WHERE version = 2 ORDER BY key" | tr "\n" " ")" = \
		"team=growth ticket=42 "
'

test_expect_success 'a FAILED run is refused' '
	test_expect_code 1 mmp register "$failed" --name churn 2>err &&
	test_grep "^error: cannot register run .$failed. as .churn.: run .$failed. is FAILED: only a FINISHED run can be registered$" err
'

test_expect_success 'a run left RUNNING by a dead process is reaped and refused' '
	test_expect_code 1 mmp register "$running" --name churn 2>err &&
	test_grep "run .$running. is FAILED: only a FINISHED run" err
'

test_expect_success 'a KILLED run is refused' '
	killed=$(mkrun KILLED accuracy=0.9) &&
	test_expect_code 1 mmp register "$killed" --name churn 2>err &&
	test_grep "run .$killed. is KILLED: only a FINISHED run" err
'

test_expect_success 'a run without a model is refused' '
	test_expect_code 1 mmp register "$nomodel" --name churn 2>err &&
	test_grep "run .$nomodel. has no model: no .model/MLmodel. among its artifacts" err
'

test_expect_success 'an unknown run is refused' '
	test_expect_code 1 mmp register ffffffffff --name churn 2>err &&
	test_grep "cannot register run .ffffffffff. as .churn." err
'

test_expect_success 'bad model names are refused' '
	test_expect_code 1 mmp register "$good" --name "a@b" 2>err &&
	test_grep "invalid model name .a@b.: use letters, digits" err &&
	test_expect_code 1 mmp register "$good" --name "-x" 2>err &&
	test_grep "invalid model name .-x." err
'

test_expect_success 'usage errors' '
	test_expect_code 129 mmp register "$good" 2>err &&
	test_grep "option .--name. is required" err &&
	test_expect_code 129 mmp register --name churn 2>err &&
	test_expect_code 129 mmp register "$good" --name churn --tag nokey 2>err &&
	test_grep "option .--tag. expects <key>=<value>, got .nokey." err
'

test_expect_success SQLITE3 'nothing was written by the refused registers' '
	test "$(sql $DB "SELECT count(*) FROM model_versions")" = 2 &&
	test "$(sql $DB "SELECT count(*) FROM registry_audit")" = 2
'

test_expect_success 'two registers at once get versions 3 and 4, once each' '
	for i in 1 2 3 4 5 6
	do
		mmp register "$good" --name churn >reg.$i &
	done &&
	wait &&
	cat reg.* | sed "s/ from run.*//" | sort >got &&
	printf "registered churn version %s\n" 3 4 5 6 7 8 >expect &&
	test_cmp expect got
'

test_expect_success SQLITE3 'no duplicate, no gap, one audit row each' '
	test "$(sql $DB "SELECT group_concat(version) FROM (SELECT version FROM model_versions ORDER BY version)")" = "1,2,3,4,5,6,7,8" &&
	test "$(sql $DB "SELECT count(*) FROM registry_audit WHERE action = \"register\"")" = 8 &&
	mmp audit verify
'

test_expect_success JQ 'the audit rows say who registered what from which run' '
	mmp audit churn --json >audit.json &&
	test "$(json_get audit.json ".entries[0] | [.seq, .actor, .action, .name, .version, .subject, .before, .after] | @csv")" = \
		"1,\"ci\",\"register\",\"churn\",1,\"version\",,\"None\"" &&
	test "$(json_get audit.json ".entries[0].notes")" = "run $good" &&
	test "$(json_get audit.json ".entries[1].actor")" = ci
'

test_expect_success '--by names who registers' '
	mmp register "$good" --name other --by alice &&
	mmp audit other >out &&
	test_grep "alice  register  other v1" out
'

test_expect_success 'version numbers are never reused after a delete' '
	mmp models delete other 1 &&
	mmp register "$good" --name other >out &&
	test_grep "registered other version 2" out
'

test_done
