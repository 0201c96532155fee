#!/bin/sh
# t3200-promote: stages (case, approval rule, archiving the previous
# Production version, --force), aliases, and two promotes at once

. "$(dirname "$0")/test-lib.sh"

mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }
DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

reg() {
	name=$1 && shift &&
	id=$(mkrun FINISHED "$@") &&
	mmp register "$id" --name "$name" >/dev/null
}

stages() {
	sql $DB "SELECT group_concat(version || \"=\" || current_stage, \" \") FROM (SELECT * FROM model_versions WHERE name = \"$1\" ORDER BY version)"
}

test_expect_success 'set up four versions, three approved, one rejected' '
	mmp init -q proj &&
	printf "thresholds:\n  accuracy: {min: 0.5}\n" >policy.yaml &&
	reg m accuracy=0.9 && reg m accuracy=0.9 && reg m accuracy=0.9 &&
	reg m accuracy=0.1 &&
	mmp approve m 1 --policy policy.yaml &&
	mmp approve m 2 --policy policy.yaml &&
	mmp approve m 3 --policy policy.yaml &&
	test_expect_code 3 mmp approve m 4 --policy policy.yaml
'

test_expect_success SQLITE3 'stages are case-insensitive and printed canonically' '
	mmp promote m 1 sTaGiNg >out &&
	echo "m version 1: None -> Staging" >expect &&
	test_cmp expect out &&
	test "$(stages m)" = "1=Staging 2=None 3=None 4=None"
'

test_expect_success 'promoting to the stage it is in changes nothing' '
	mmp promote m 1 Staging >out &&
	echo "m version 1 is already in Staging" >expect &&
	test_cmp expect out
'

test_expect_success 'an unknown stage is a usage error listing the valid ones' '
	test_expect_code 129 mmp promote m 1 Prod 2>err &&
	echo "error: unknown stage '\''Prod'\'' (valid: Staging, Production, Archived, None); did you mean '\''Production'\''?" >expect &&
	test_cmp expect err &&
	test_expect_code 129 mmp promote m 1 2>err &&
	test_expect_code 129 mmp promote m one Staging 2>err
'

test_expect_success JQ,SQLITE3 'the first Production version' '
	mmp promote m v1 production --json >p1.json &&
	test "$(json_get p1.json ".from + \">\" + .stage")" = "Staging>Production" &&
	test "$(json_get p1.json .previous)" = null &&
	test "$(stages m)" = "1=Production 2=None 3=None 4=None"
'

test_expect_success JQ,SQLITE3 'the next archives the previous one in the same step' '
	mmp promote m 2 Production >out &&
	printf "m version 2: None -> Production\nm version 1: Production -> Archived\n" >expect &&
	test_cmp expect out &&
	test "$(stages m)" = "1=Archived 2=Production 3=None 4=None"
'

test_expect_success JQ,SQLITE3 '--keep-previous moves it to Staging instead' '
	mmp promote m 3 Production --keep-previous --json >p3.json &&
	test "$(json_get p3.json ".previous | [.version, .stage] | @csv")" = "2,\"Staging\"" &&
	test "$(stages m)" = "1=Archived 2=Staging 3=Production 4=None"
'

test_expect_success 'a REJECTED version goes to neither Staging nor Production' '
	test_expect_code 1 mmp promote m 4 Production 2>err &&
	test_grep "^error: cannot promote m version 4 to Production: it was REJECTED \(failed thresholds: accuracy 0.1 < min 0.5\)$" err &&
	test_expect_code 1 mmp promote m 4 Staging 2>err &&
	test_grep "it was REJECTED" err &&
	mmp promote m 4 Archived &&
	mmp promote m 4 None
'

test_expect_success 'Production needs an APPROVED decision' '
	reg m accuracy=0.9 &&
	test_expect_code 1 mmp promote m 5 Production 2>err &&
	test_grep "cannot promote m version 5 to Production: it has no approval decision; run .mmp approve m v5." err &&
	printf "comparison: {metric: accuracy, min_improvement: 0.5}\n" >review.yaml &&
	test_expect_code 2 mmp approve m 5 --policy review.yaml &&
	test_expect_code 1 mmp promote m 5 Production 2>err &&
	test_grep "its decision is NEEDS_REVIEW" err &&
	mmp promote m 5 Staging
'

test_expect_success JQ,SQLITE3 '--force --by --notes overrides, and the override is audited' '
	test_expect_code 129 mmp promote m 5 Production --force 2>err &&
	test_grep "needs .--by. and .--notes." err &&
	mmp promote m 5 Production --force --by carol --notes "hotfix" --json >f.json &&
	test "$(json_get f.json .forced)" = true &&
	test "$(stages m)" = "1=Archived 2=Staging 3=Archived 4=None 5=Production" &&
	mmp audit m --json >a.json &&
	test "$(json_get a.json "[.entries[] | select(.action == \"override\")][0] | [.actor, .version, .before, .after, .notes] | @csv")" = \
		"\"carol\",5,\"Staging\",\"Production\",\"hotfix\""
'

test_expect_success 'unknown model or version' '
	test_expect_code 1 mmp promote n 1 Staging 2>err &&
	test_grep "no model .n.; did you mean .m.\?" err &&
	test_expect_code 1 mmp promote m 9 Staging 2>err &&
	test_grep "model .m. has no version 9" err
'

test_expect_success JQ 'aliases: set, move, delete; M@alias resolves' '
	mmp promote m 2 --alias champion >out &&
	echo "m@champion: version 2" >expect && test_cmp expect out &&
	mmp alias m champion 3 >out &&
	echo "m@champion: version 2 -> 3" >expect && test_cmp expect out &&
	mmp alias m challenger v2 --json >al.json &&
	test "$(json_get al.json ".version, .previous" | tr "\n" " ")" = "2 null " &&
	mmp models show m 3 --json >s.json &&
	test "$(json_get s.json ".model_version.aliases | join(\",\")")" = champion &&
	mmp models lineage m@champion --json >l.json &&
	test "$(json_get l.json .model_version.version)" = 3 &&
	mmp alias m challenger --delete >out &&
	echo "deleted m@challenger (was version 2)" >expect && test_cmp expect out &&
	test_expect_code 1 mmp alias m challenger --delete 2>err &&
	test_grep "model .m. has no alias .challenger." err
'

test_expect_success 'reserved and malformed aliases are refused' '
	test_expect_code 1 mmp alias m latest 1 2>err &&
	test_grep "the alias .latest. is reserved" err &&
	test_expect_code 1 mmp alias m v7 1 2>err &&
	test_grep "the alias .v7. is reserved ..latest. and .v<number>. name versions." err &&
	test_expect_code 1 mmp alias m production 1 2>err &&
	test_grep "the alias .production. is reserved: it names the stage Production" err &&
	test_expect_code 1 mmp alias m "a b" 1 2>err &&
	test_grep "invalid alias .a b." err &&
	test_expect_code 1 mmp alias m best 9 2>err &&
	test_grep "model .m. has no version 9" err &&
	test_expect_code 129 mmp alias m best 2>err &&
	test_expect_code 129 mmp alias m best 1 extra 2>err
'

test_expect_success 'two processes promoting different versions at once leave one Production' '
	for i in 1 2 3 4 5 6 7 8
	do
		reg p accuracy=0.9 &&
		mmp approve p $i --policy policy.yaml >/dev/null || return 1
	done &&
	for round in 1 2 3
	do
		for i in 1 2 3 4 5 6 7 8
		do
			mmp promote p $i Production >/dev/null 2>err.$i &
		done &&
		wait &&
		test "$(sql $DB "SELECT count(*) FROM model_versions WHERE name = \"p\" AND current_stage = \"Production\"")" = 1 || return 1
	done &&
	cat err.* >errs && test_must_be_empty errs
'

test_expect_success SQLITE3 'the audit log agrees with the final state, with no gap' '
	prod=$(sql $DB "SELECT version FROM model_versions WHERE name = \"p\" AND current_stage = \"Production\"") &&
	last=$(sql $DB "SELECT version || \" \" || after FROM registry_audit WHERE name = \"p\" AND subject = \"stage\" AND after = \"Production\" ORDER BY seq DESC LIMIT 1") &&
	test "$last" = "$prod Production" &&
	test "$(sql $DB "SELECT max(seq) = count(*) FROM registry_audit")" = 1 &&
	mmp audit verify
'

test_expect_success SQLITE3 'the store refuses a second Production version outright' '
	test_must_fail sql $DB "UPDATE model_versions SET current_stage = \"Production\" WHERE name = \"m\" AND version = 1" 2>err &&
	test_grep "UNIQUE constraint failed" err
'

test_done
