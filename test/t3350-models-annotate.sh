#!/bin/sh
# t3350-models-annotate: mmp models describe/tag after registration,
# audited, bad input refused without a change

. "$(dirname "$0")/test-lib.sh"

DB="$TRASH_DIRECTORY/.mmp/mmp.db"

test_expect_success 'set up a model with two versions' '
	store-writer "$DB" create &&
	r1=$("$HELPERS/registry-run" "$DB" FINISHED auc=0.9) &&
	r2=$("$HELPERS/registry-run" "$DB" FINISHED auc=0.91) &&
	mmp register $r1 --name churn >/dev/null &&
	mmp register $r2 --name churn --description "from the start" >/dev/null
'

test_expect_success JQ 'describe the model and a version' '
	mmp models describe churn "Churn model.
Trained weekly." --by alice 2>err &&
	grep "churn model: description set" err &&
	mmp models describe churn v2 "second try" --by bob &&
	mmp models describe churn 1 "first" &&
	mmp models show churn --json >m.json &&
	test "$(json_get m.json .model.description)" = "Churn model.
Trained weekly." &&
	test "$(json_get m.json ".model.versions[1].description")" = "second try" &&
	test "$(json_get m.json ".model.versions[0].description")" = first &&
	test "$(sql "$DB" "SELECT description FROM model_versions WHERE version = 2")" = "second try"
'

test_expect_success JQ 'describe is audited with the old and the new text' '
	mmp audit churn --json >a.json &&
	json_get a.json ".entries[] | select(.action == \"describe\" and .version == 2) |
		[.actor, .subject, .before, .after] | @tsv" >got &&
	printf "bob\tdescription\tfrom the start\tsecond try\n" >want &&
	test_cmp want got &&
	test "$(json_get a.json "[.entries[] | select(.action == \"describe\")] | length")" = 3 &&
	mmp audit verify
'

test_expect_success 'an empty text removes it; the same text is no new row' '
	mmp models describe churn v1 "" &&
	test "$(sql "$DB" "SELECT description FROM model_versions WHERE version = 1")" = "" &&
	n=$(sql "$DB" "SELECT count(*) FROM registry_audit") &&
	mmp models describe churn v2 "second try" &&
	test "$(sql "$DB" "SELECT count(*) FROM registry_audit")" = $n
'

test_expect_success JQ 'tag a model and a version, set and unset' '
	mmp models tag churn team=ml domain=retention &&
	mmp models tag churn v2 owner=bob "expr=a=b" &&
	mmp models tag churn 2 --unset expr reviewed=yes &&
	mmp models show churn --json >m.json &&
	test "$(json_get m.json ".model.tags | to_entries | map(.key + \"=\" + .value) | join(\",\")")" = \
		"domain=retention,team=ml" &&
	test "$(json_get m.json ".model.versions[1].tags | to_entries | map(.key + \"=\" + .value) | join(\",\")")" = \
		"owner=bob,reviewed=yes" &&
	mmp models show churn >m.txt &&
	grep "^tag: *team=ml$" m.txt &&
	mmp audit churn --json >a.json &&
	json_get a.json ".entries[] | select(.action == \"tag\") |
		[(.version // 0), .subject, (.before // \"-\"), (.after // \"-\")] | @tsv" >got &&
	printf "0\ttag domain\t-\tretention\n0\ttag team\t-\tml\n2\ttag owner\t-\tbob\n2\ttag expr\t-\ta=b\n2\ttag expr\ta=b\t-\n2\ttag reviewed\t-\tyes\n" >want &&
	sort want >w && sort got >g && test_cmp w g &&
	mmp audit verify
'

test_expect_success 'bad input fails and changes nothing' '
	n=$(sql "$DB" "SELECT count(*) FROM registry_audit") &&
	test_expect_code 1 mmp models tag churn team=x --unset nosuch 2>err &&
	grep "error: .*model .churn. has no tag .nosuch." err &&
	test "$(sql "$DB" "SELECT value FROM registered_model_tags WHERE key = \"team\"")" = ml &&
	test_expect_code 1 mmp models tag churn v9 a=b 2>err &&
	grep "9" err &&
	test_expect_code 1 mmp models describe nosuch "x" 2>err &&
	grep "no model .nosuch." err &&
	test_expect_code 1 mmp models describe churn v7 "x" 2>err &&
	test_expect_code 129 mmp models describe churn vx "x" 2>err &&
	test_expect_code 129 mmp models describe churn 2>err &&
	test_expect_code 129 mmp models tag churn 2>err &&
	test_expect_code 129 mmp models tag churn v2 novalue 2>err &&
	grep "not <key>=<value>" err &&
	test_expect_code 1 mmp models describe churn "$(printf "bad\033[31m")" 2>err &&
	grep "control character" err &&
	test "$(sql "$DB" "SELECT count(*) FROM registry_audit")" = $n
'

test_done
