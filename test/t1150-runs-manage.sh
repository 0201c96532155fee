#!/bin/sh
# t1150-runs-manage: unique run names; runs delete/restore/tag/note/rename;
# mmp gc; mmp experiments

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

test_expect_success 'a generated name that is taken gets -2, -3' '
	$W "$DB" create &&
	$W "$DB" start --name nightly --unique 1 : end @ FINISHED \
		: start --name nightly --unique 1 : end @ FINISHED \
		: start --experiment other --name nightly --unique 1 \
		: end @ FINISHED >ids &&
	test "$(sql "$DB" "SELECT group_concat(name, \",\") FROM
		(SELECT name FROM runs ORDER BY rowid)")" = \
		"nightly,nightly-2,nightly-3" &&
	test "$(sql "$DB" "SELECT value FROM tags WHERE key = \"mlflow.runName\"
		AND run_uuid = \"$(sed -n 2p ids)\"")" = nightly-2 &&
	mmp runs show nightly-2 --json >show.json &&
	test "$(json_get show.json .run.run_id)" = "$(sed -n 2p ids)"
'

test_expect_success 'a name given by hand is kept as it is' '
	$W "$DB" start --name mine : end @ FINISHED \
		: start --name mine : end @ FINISHED >/dev/null &&
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE name = \"mine\"")" = 2
'

test_expect_success JQ 'two trainings started at once get different names' '
	mmp init -q proj &&
	(cd proj && {
	 mmp train --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=3 --json >../t1.json 2>../e1 &
	 mmp train --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=3 --json >../t2.json 2>../e2 &
	 wait; }) &&
	n1=$(json_get t1.json .run_name) && n2=$(json_get t2.json .run_name) &&
	test "$n1" != "$n2" &&
	echo "$n1" | grep -E "^breast-cancer-[0-9]{8}-[0-9]{6}(-2)?$" &&
	echo "$n2" | grep -E "^breast-cancer-[0-9]{8}-[0-9]{6}(-2)?$" &&
	(cd proj && mmp runs show "$n1" --json >../s1.json &&
	 mmp runs show "$n2" --json >../s2.json) &&
	test "$(json_get s1.json .run.run_id)" = "$(json_get t1.json .run_id)" &&
	test "$(json_get s2.json .run.run_id)" = "$(json_get t2.json .run_id)" &&
	test "$(json_get s2.json ".run.tags[\"mlflow.runName\"]")" = "$n2"
'

test_expect_success 'seed runs: ended, running, registered, a parent and child' '
	$W "$DB" start --experiment exp1 --name done1 : \
		artifact @ model/model.ubj 2048 $SHA : end @ FINISHED \
		: start --experiment exp1 --name done2 : end @ FAILED \
		: start --experiment exp1 --name parent : end @ FINISHED >ids &&
	A=$(sed -n 1p ids) && B=$(sed -n 2p ids) && P=$(sed -n 3p ids) &&
	$W "$DB" start --experiment exp1 --name child --parent $P \
		: end @ FINISHED >cid &&
	C=$(cat cid) &&
	R=$("$HELPERS/registry-run" "$DB" FINISHED auc=0.9) &&
	mmp register $R --name churn >/dev/null &&
	{ $W "$DB" hang --experiment exp1 --name live >hang.out & } &&
	echo $! >hang.pid &&
	n=0 && while ! test -s hang.out && test $n -lt 300
	do sleep 0.1; n=$((n + 1)); done &&
	L=$(cut -d" " -f1 hang.out) && test -n "$L" &&
	for f in A B P C R L; do eval "echo $f=\$$f"; done >vars &&
	AD=.mmp/$(sql "$DB" "SELECT artifact_uri FROM runs WHERE run_uuid = \"$A\"") &&
	echo "AD=$AD" >>vars &&
	mkdir -p $AD/model && echo model >$AD/model/model.ubj
'
. ./vars 2>/dev/null

test_expect_success JQ 'delete: the run leaves lists, stays in the store' '
	mmp runs delete done1 --json >del.json &&
	test "$(json_get del.json ".runs[0].run_id")" = "$A" &&
	test "$(json_get del.json ".runs[0].changed")" = true &&
	test "$(sql "$DB" "SELECT lifecycle_stage FROM runs WHERE run_uuid = \"$A\"")" = deleted &&
	mmp runs list --json --experiment exp1 >l.json &&
	! json_get l.json ".runs[].run_id" | grep $A &&
	mmp runs list --json --deleted --experiment exp1 >l.json &&
	json_get l.json ".runs[].run_id" | grep $A &&
	mmp runs list --deleted --experiment exp1 >l.txt &&
	grep "done1.*FINISHED (deleted)" l.txt &&
	mmp runs show done1 --json >s.json &&
	test "$(json_get s.json .run.lifecycle_stage)" = deleted
'

test_expect_success JQ 'delete again is no change; restore brings it back' '
	mmp runs delete $A --json >del.json &&
	test "$(json_get del.json ".runs[0].changed")" = false &&
	mmp runs restore $A 2>err &&
	grep "restored run $A" err &&
	test "$(sql "$DB" "SELECT lifecycle_stage FROM runs WHERE run_uuid = \"$A\"")" = active
'

test_expect_success 'delete refuses a RUNNING run and an unknown one' '
	test_expect_code 1 mmp runs delete $L 2>err &&
	grep "error: run .$L. is RUNNING" err &&
	test_expect_code 1 mmp runs delete done2 nosuchrun 2>err &&
	grep "no run .nosuchrun." err &&
	test "$(sql "$DB" "SELECT lifecycle_stage FROM runs WHERE run_uuid = \"$B\"")" = active &&
	test_expect_code 129 mmp runs delete 2>err &&
	test_expect_code 129 mmp runs delete "" 2>err
'

test_expect_success 'tag: set and unset in one go, values may hold =' '
	mmp runs tag done1 team=fraud "expr=a=b" empty= &&
	test "$(sql "$DB" "SELECT group_concat(key || \":\" || value, \",\") FROM
		(SELECT key, value FROM tags WHERE run_uuid = \"$A\" AND key IN
		 (\"team\", \"expr\", \"empty\") ORDER BY key)")" = "empty:,expr:a=b,team:fraud" &&
	mmp runs tag done1 --unset empty team=ml &&
	test "$(sql "$DB" "SELECT count(*) FROM tags WHERE run_uuid = \"$A\" AND key = \"empty\"")" = 0 &&
	test "$(sql "$DB" "SELECT value FROM tags WHERE run_uuid = \"$A\" AND key = \"team\"")" = ml
'

test_expect_success 'tag: bad input changes nothing' '
	test_expect_code 1 mmp runs tag done1 team=x --unset nosuch 2>err &&
	grep "error: run .$A. has no tag .nosuch." err &&
	test "$(sql "$DB" "SELECT value FROM tags WHERE run_uuid = \"$A\" AND key = \"team\"")" = ml &&
	test_expect_code 1 mmp runs tag done1 "bad key!=1" 2>err &&
	grep "invalid tag key .bad key!." err &&
	test_expect_code 1 mmp runs tag done1 mlflow.runName=x 2>err &&
	grep "mmp runs rename" err &&
	test_expect_code 129 mmp runs tag done1 novalue 2>err &&
	grep "not <key>=<value>" err &&
	test_expect_code 129 mmp runs tag done1 2>err &&
	test_expect_code 1 mmp runs tag $L a=b 2>err &&
	grep "RUNNING" err
'

test_expect_success 'note: the description is mlflow.note.content' '
	mmp runs note done1 "baseline for Q3" &&
	test "$(sql "$DB" "SELECT value FROM tags WHERE run_uuid = \"$A\" AND key = \"mlflow.note.content\"")" = "baseline for Q3" &&
	mmp runs note done1 "" &&
	test "$(sql "$DB" "SELECT count(*) FROM tags WHERE run_uuid = \"$A\" AND key = \"mlflow.note.content\"")" = 0 &&
	test_expect_code 129 mmp runs note done1 &&
	test_expect_code 1 mmp runs note $L text 2>err && grep RUNNING err
'

test_expect_success 'rename: name and tag follow; a taken name is refused' '
	mmp runs rename done1 first-baseline &&
	test "$(sql "$DB" "SELECT name FROM runs WHERE run_uuid = \"$A\"")" = first-baseline &&
	test "$(sql "$DB" "SELECT value FROM tags WHERE run_uuid = \"$A\" AND key = \"mlflow.runName\"")" = first-baseline &&
	test_expect_code 1 mmp runs rename first-baseline done2 2>err &&
	grep "already named .done2." err &&
	test "$(sql "$DB" "SELECT name FROM runs WHERE run_uuid = \"$A\"")" = first-baseline &&
	test_expect_code 1 mmp runs rename first-baseline "" 2>err &&
	grep "empty" err &&
	test_expect_code 1 mmp runs rename $L other 2>err && grep RUNNING err
'

test_expect_success JQ 'gc --dry-run reports, changes nothing' '
	mmp -q runs delete $A $P $R &&
	mmp gc --dry-run --json >gc.json &&
	test "$(json_get gc.json .dry_run)" = true &&
	test "$(json_get gc.json .removed)" = 1 &&
	test "$(json_get gc.json .refused)" = 2 &&
	test "$(json_get gc.json .bytes)" = 2048 &&
	test "$(json_get gc.json ".runs[] | select(.run_id == \"$R\") | .reason")" = \
		"model '\''churn'\'' version 1 was registered from it" &&
	json_get gc.json ".runs[] | select(.run_id == \"$P\") | .reason" |
		grep "its child run $(echo $C | cut -c1-8) is not deleted" &&
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE lifecycle_stage = \"deleted\"")" = 3 &&
	test -f $AD/model/model.ubj
'

test_expect_success 'gc removes rows and files, keeps what is still used' '
	mmp gc >out 2>err &&
	grep "^removed run $(echo $A | cut -c1-8) (first-baseline)$" out &&
	grep "warning: keeping deleted run $(echo $R | cut -c1-8)" err &&
	grep "model .churn. version 1 was registered from it" err &&
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE run_uuid = \"$A\"")" = 0 &&
	test "$(sql "$DB" "SELECT count(*) FROM tags WHERE run_uuid = \"$A\"")" = 0 &&
	test "$(sql "$DB" "SELECT count(*) FROM artifacts WHERE run_uuid = \"$A\"")" = 0 &&
	! test -e $AD && ! test -e ${AD%/artifacts} && test -d ${AD%/*/artifacts} &&
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE run_uuid IN (\"$R\", \"$P\")")" = 2 &&
	mmp models show churn >/dev/null &&
	test "$(sql "$DB" "PRAGMA foreign_key_check")" = ""
'

test_expect_success 'gc takes a parent with its deleted children' '
	mmp -q runs delete $C &&
	mmp -q gc &&
	test "$(sql "$DB" "SELECT count(*) FROM runs WHERE run_uuid IN (\"$P\", \"$C\")")" = 0
'

test_expect_success JQ,SQLITE3 'gc prunes monitoring data past its retention' '
	now=$(($(date +%s) * 1000)) &&
	old=$((now - 100 * 86400000)) &&
	sqlite3 "$DB" "INSERT INTO monitor_windows (model, version, source,
		start_ms, end_ms, rows, profile, written_ms) VALUES
		(\"churn\", 1, \"serve\", $old, $old, 5, \"{}\", $old),
		(\"churn\", 1, \"serve\", $now, $now, 7, \"{}\", $now);
		INSERT INTO prediction_log (model, version, source, entity_id,
		ts_ms, pred) VALUES
		(\"churn\", 1, \"serve\", \"old\", $old, zeroblob(4)),
		(\"churn\", 1, \"serve\", \"new\", $now, zeroblob(4))" &&
	mmp gc --dry-run --json >gc.json &&
	test "$(json_get gc.json .monitoring.windows)" = 1 &&
	test "$(json_get gc.json .monitoring.predictions)" = 1 &&
	test "$(sql "$DB" "SELECT count(*) FROM monitor_windows")" = 2 &&
	mmp gc >out 2>err &&
	grep "removed 1 monitoring window and 1 logged prediction past their retention" err &&
	test "$(sql "$DB" "SELECT rows FROM monitor_windows")" = 7 &&
	test "$(sql "$DB" "SELECT entity_id FROM prediction_log")" = new &&
	mmp gc --json >gc.json &&
	test "$(json_get gc.json .monitoring.windows)" = 0
'

test_expect_success JQ 'experiments: create, list, rename' '
	mmp experiments create churn-q3 --json >c.json &&
	id=$(json_get c.json .experiment_id) &&
	test "$(json_get c.json .name)" = churn-q3 &&
	test_expect_code 1 mmp experiments create churn-q3 2>err &&
	grep "error: experiment .churn-q3. already exists" err &&
	mmp experiments list --json >l.json &&
	test "$(json_get l.json ".experiments[] | select(.name == \"churn-q3\") | .runs")" = 0 &&
	test "$(json_get l.json ".experiments[] | select(.name == \"exp1\") | .runs")" = 2 &&
	mmp experiments rename churn-q3 churn-2026q3 &&
	test "$(sql "$DB" "SELECT name FROM experiments WHERE experiment_id = $id")" = churn-2026q3 &&
	test_expect_code 1 mmp experiments rename churn-2026q3 exp1 2>err &&
	grep "already exists" err &&
	test_expect_code 1 mmp experiments rename churn-2026q4 x 2>err &&
	grep "no experiment .churn-2026q4.; did you mean .churn-2026q3.?" err &&
	mmp experiments list >l.txt &&
	grep -E "^ID +NAME +RUNS +DELETED RUNS +CREATED" l.txt
'

test_expect_success 'experiments delete: runs go with it, no new runs, restore' '
	test_expect_code 1 mmp experiments delete exp1 2>err &&
	grep "is RUNNING" err &&
	kill $(cat hang.pid) && wait $(cat hang.pid) 2>/dev/null;
	mmp -q runs mark-failed $L 2>/dev/null;
	$W "$DB" reap >/dev/null &&
	mmp experiments delete exp1 2>err &&
	grep "deleted experiment .exp1. and 2 runs" err &&
	test "$(sql "$DB" "SELECT count(*) FROM runs r JOIN experiments e USING (experiment_id)
		WHERE e.name = \"exp1\" AND r.lifecycle_stage = \"active\"")" = 0 &&
	test_must_fail $W "$DB" start --experiment exp1 2>err &&
	grep "experiment .exp1. is deleted" err &&
	mmp experiments list --json >l.json &&
	! json_get l.json ".experiments[].name" | grep -x exp1 &&
	mmp experiments restore exp1 2>err &&
	grep "restored experiment .exp1. and 2 runs" err &&
	test_expect_code 1 mmp experiments delete Default 2>err &&
	grep "Default experiment cannot be deleted" err
'

test_expect_success 'gc removes a deleted experiment with its runs' '
	mmp -q experiments delete churn-2026q3 &&
	mmp gc --json >gc.json &&
	test "$(sql "$DB" "SELECT count(*) FROM experiments WHERE name = \"churn-2026q3\"")" = 0 &&
	test "$(sql "$DB" "SELECT count(*) FROM experiments WHERE name = \"exp1\"")" = 1
'

test_done
