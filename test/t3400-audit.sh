#!/bin/sh
# t3400-audit: the audit log: one row per change, who and when, the
# hash chain and tampering, time ranges, what was in Production when

. "$(dirname "$0")/test-lib.sh"

mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }
DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER

test_expect_success 'one row for every kind of change' '
	mmp init -q proj &&
	printf "thresholds:\n  accuracy: {min: 0.5}\n" >policy.yaml &&
	for i in 1 2 3
	do
		mmp register "$(mkrun FINISHED accuracy=0.9)" --name m >/dev/null || return 1
	done &&
	mmp approve m 1 --policy policy.yaml >/dev/null &&
	mmp promote m 1 Production >/dev/null &&
	MMP_USER=erin mmp approve m 2 --policy policy.yaml >/dev/null &&
	mmp promote m 2 Production --by frank --notes "better" >/dev/null &&
	mmp alias m champion 2 >/dev/null &&
	mmp alias m champion 1 >/dev/null &&
	test_expect_code 3 mmp approve m 3 --reject --by gil --notes bad >/dev/null &&
	mmp alias m champion --delete >/dev/null &&
	mmp promote m 3 Staging --force --by hal --notes "try it" >/dev/null &&
	mmp models delete m 3 --force >/dev/null &&
	mmp audit m --json >a.json &&
	json_get a.json "[.entries[] | [.seq, .actor, .action, .version, .subject, (.before // \"-\"), (.after // \"-\")] | map(tostring) | join(\" \")] | .[]" >got &&
	cat >expect <<-\EOF &&
	1 ci register 1 version - None
	2 ci register 2 version - None
	3 ci register 3 version - None
	4 ci approve 1 decision - APPROVED
	5 ci promote 1 stage None Production
	6 erin approve 2 decision - APPROVED
	7 frank archive 1 stage Production Archived
	8 frank promote 2 stage None Production
	9 ci alias 2 alias champion - v2
	10 ci alias 1 alias champion v2 v1
	11 gil reject 3 decision - REJECTED
	12 ci alias 1 alias champion v1 -
	13 hal override 3 stage None Staging
	14 ci delete 3 version Staging -
	EOF
	test_cmp expect got
'

test_expect_success 'the human listing' '
	mmp audit >out &&
	test_grep "^SEQ +TIME +ACTOR +ACTION +MODEL +SUBJECT +CHANGE +NOTES$" out &&
	test_grep "^8 +[0-9T:Z-]+ +frank +promote +m v2 +stage +None -> Production +better$" out &&
	test_line_count = 15 out
'

test_expect_success 'the chain verifies' '
	mmp audit verify >out &&
	echo "audit log ok: 14 rows, hash chain intact" >expect &&
	test_cmp expect out &&
	mmp audit verify --json >v.json &&
	test "$(json_get v.json ".ok, .rows" | tr "\n" " ")" = "true 14 "
'

test_expect_success SQLITE3 'the log refuses updates and deletes' '
	test_must_fail sql $DB "UPDATE registry_audit SET actor = \"x\" WHERE seq = 3" 2>err &&
	test_grep "append-only" err &&
	test_must_fail sql $DB "DELETE FROM registry_audit WHERE seq = 3" 2>err &&
	test_grep "append-only" err
'

test_expect_success SQLITE3 'an edited row fails verify, naming it' '
	cp $DB saved.db && cp $DB-wal saved.db-wal 2>/dev/null;
	sql $DB "DROP TRIGGER registry_audit_no_update;
		UPDATE registry_audit SET actor = \"mallory\" WHERE seq = 8" &&
	test_expect_code 1 mmp audit verify 2>err &&
	echo "error: the audit log does not verify: audit row 8 was changed: its hash does not match its contents" >expect &&
	test_cmp expect err &&
	mmp audit verify --json >v.json; test "$(json_get v.json .ok)" = false
'

test_expect_success SQLITE3 'a re-hashed edit breaks the link to the next row' '
	sql $DB "UPDATE registry_audit SET hash = \"$(printf %064d 7)\" WHERE seq = 8" &&
	test_expect_code 1 mmp audit verify 2>err &&
	test_grep "audit row 8 was changed|audit row 9 does not follow row 8" err
'

test_expect_success SQLITE3 'a deleted row in the middle fails verify' '
	cp saved.db $DB && rm -f $DB-wal $DB-shm && { cp saved.db-wal $DB-wal 2>/dev/null; true; } &&
	mmp audit verify &&
	sql $DB "DROP TRIGGER registry_audit_no_delete; DELETE FROM registry_audit WHERE seq = 5" &&
	test_expect_code 1 mmp audit verify 2>err &&
	test_grep "audit row 6 does not follow row 4: a row before it was deleted or changed" err
'

test_expect_success SQLITE3 'a deleted last row fails verify too' '
	cp saved.db $DB && rm -f $DB-wal $DB-shm && { cp saved.db-wal $DB-wal 2>/dev/null; true; } &&
	sql $DB "DROP TRIGGER registry_audit_no_delete; DELETE FROM registry_audit WHERE seq = 14" &&
	test_expect_code 1 mmp audit verify 2>err &&
	test_grep "the audit log ends at row 13 but its head names row 14" err &&
	cp saved.db $DB && rm -f $DB-wal $DB-shm && { cp saved.db-wal $DB-wal 2>/dev/null; true; } &&
	mmp audit verify
'

test_expect_success SQLITE3 'which version was in Production at a given time' '
	t5=$(sql $DB "SELECT time FROM registry_audit WHERE seq = 5") &&
	t9=$(sql $DB "SELECT time FROM registry_audit WHERE seq = 9") &&
	t14=$(sql $DB "SELECT time FROM registry_audit WHERE seq = 14") &&
	sql $DB "DROP TRIGGER registry_audit_no_update" &&
	sql $DB "UPDATE registry_audit SET time = 1000 * seq + 1767225600000" &&
	mmp audit m --at 2026-01-01T00:00:05Z --json >at5.json &&
	test "$(json_get at5.json .stages.Production)" = 1 &&
	mmp audit m --at 2026-01-01T00:00:09Z --json >at9.json &&
	test "$(json_get at9.json ".stages | [.Production, .Archived] | @csv")" = "2,1" &&
	test "$(json_get at9.json .aliases.champion)" = 2 &&
	mmp audit m --at 2026-01-01T00:00:13Z >out &&
	test_grep "^  Staging +v3$" out &&
	test_grep "^  Production +v2$" out &&
	mmp audit m --at 2026-01-01T00:00:14Z --json >at14.json &&
	test "$(json_get at14.json .stages.Staging)" = null &&
	test_expect_code 1 mmp audit m --at 2025-12-31 2>err &&
	test_grep "the audit log has nothing on model .m. at or before 2025-12-31T00:00:00Z" err
'

test_expect_success JQ '--since and --until select a time range' '
	mmp audit --since 2026-01-01T00:00:10Z --until "2026-01-01 00:00:12" --json >r.json &&
	test "$(json_get r.json "[.entries[].seq] | map(tostring) | join(\",\")")" = "10,11" &&
	mmp audit m --since 1767225613000 --json >r.json &&
	test "$(json_get r.json "[.entries[].seq] | map(tostring) | join(\",\")")" = "13,14" &&
	mmp audit nosuch --json >r.json &&
	test "$(json_get r.json ".entries | length")" = 0
'

test_expect_success 'bad times and usage errors' '
	test_expect_code 129 mmp audit --since yesterday 2>err &&
	test_grep "option .--since.: invalid time .yesterday.: expected 2026-11-23" err &&
	test_expect_code 129 mmp audit m --at 2026-13-01 2>err &&
	test_expect_code 129 mmp audit --at 2026-01-01 2>err &&
	test_expect_code 129 mmp audit m --at 2026-01-01 --since 2026-01-01 2>err &&
	test_expect_code 129 mmp audit verify --since 2026-01-01 2>err &&
	test_expect_code 129 mmp audit a b 2>err
'

test_done
