#!/bin/sh
# t4580-batch-sqlite: batch-inference from an SQLite query or table and
# into an SQLite table: the same predictions as from the CSV, replace and
# append each in one transaction (a kill before COMMIT leaves the old
# table), hostile table names, and bad inputs failing clearly

. "$(dirname "$0")/test-lib.sh"

F="$FIXTURES/serve"
DB=$PWD/churn.db
# the exported input and the staged output are temporary files here
mkdir -p tmp && TMPDIR=$PWD/tmp && export TMPDIR

# rows DB SQL: the result as CSV with a header
rows() {
	sqlite3 -batch -csv -header "$1" "$2"
}

test_expect_success SQLITE3 'setup: a model, the rows in an SQLite table' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mkmodel train houses "$F/houses.csv" regression price &&
	sqlite3 churn.db "CREATE TABLE c (customer_id TEXT, tenure INTEGER,
		charges REAL, plan TEXT, region TEXT, churned TEXT);" \
		".import --csv --skip 1 $F/churn.csv c" &&
	test "$(sql churn.db "SELECT count(*) FROM c")" = 300 &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output plain.csv --proba --keep tenure -q
'

test_expect_success SQLITE3 'a table and a query predict what the CSV predicts' '
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--table c --output t.csv --proba --keep tenure -q &&
	test_cmp plain.csv t.csv &&
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--query "SELECT * FROM c ORDER BY rowid" --output q.csv \
		--proba --keep tenure -q &&
	test_cmp plain.csv q.csv
'

test_expect_success SQLITE3,JQ 'the run records the database and the query' '
	mmp init -q proj &&
	mmp -C proj batch-inference --model-dir ../churn \
		--input "sqlite://$DB" --query "SELECT * FROM c" \
		--output ../rec.csv --json >rec.json &&
	test "$(json_get rec.json .input)" = "sqlite://$DB" &&
	test "$(json_get rec.json .query)" = "SELECT * FROM c" &&
	id=$(json_get rec.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params
		WHERE run_uuid = '\''$id'\'' AND key = '\''query'\''")" = \
		"SELECT * FROM c" &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs
		WHERE run_uuid = '\''$id'\''")" = FINISHED
'

test_expect_success SQLITE3 'the predictions go into a table: text, integers and numbers typed' '
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output "sqlite://$PWD/out.db?table=scores" --proba \
		--keep tenure -q &&
	rows out.db "SELECT * FROM scores ORDER BY rowid" >got.csv &&
	test_cmp plain.csv got.csv &&
	test "$(sql out.db "SELECT typeof(customer_id), typeof(tenure),
		typeof(prediction), typeof(no), typeof(yes) FROM scores LIMIT 1")" = \
		"text|integer|text|real|real" &&
	mmp batch-inference --model-dir houses --input "$F/houses.csv" \
		--output "sqlite://$PWD/out.db?table=prices" -q &&
	test "$(sql out.db "SELECT DISTINCT typeof(prediction) FROM prices")" = real &&
	test "$(sql out.db "SELECT count(*) FROM prices")" = \
		$(($(wc -l <"$F/houses.csv") - 1))
'

test_expect_success SQLITE3 'kept columns: integers, numbers, and ids with leading zeros as text' '
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--query "SELECT *, printf(\"%05d\", rowid) AS code, rowid AS num,
			CASE WHEN rowid = 3 THEN NULL ELSE charges END AS amount
			FROM c ORDER BY rowid" \
		--keep code,num,amount,region --output "sqlite://$PWD/kept.db?table=kept" -q &&
	test "$(sql kept.db "SELECT group_concat(name || \" \" || type, \",\")
		FROM pragma_table_info(\"kept\")")" = \
		"customer_id TEXT,code TEXT,num INTEGER,amount REAL,region TEXT,prediction TEXT" &&
	test "$(sql kept.db "SELECT code, num, amount IS NULL FROM kept WHERE num = 3")" = "00003|3|1" &&
	test "$(sql kept.db "SELECT typeof(code) || typeof(num) || typeof(amount) FROM kept WHERE num = 1")" = textintegerreal &&
	test "$(sql kept.db "SELECT count(*) FROM kept")" = 300
'

test_expect_success SQLITE3 'replace: the old table is replaced whole, nothing left over' '
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--query "SELECT * FROM c LIMIT 7" \
		--output "sqlite://$PWD/out.db?table=scores" -q &&
	test "$(sql out.db "SELECT count(*) FROM scores")" = 7 &&
	test "$(sql out.db "SELECT group_concat(name) FROM pragma_table_info(\"scores\")")" = \
		customer_id,prediction &&
	test "$(sql out.db "SELECT group_concat(name, \" \") FROM sqlite_master")" = \
		"prices scores"
'

test_expect_success SQLITE3 'append: rows added in one go; other columns refused' '
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--query "SELECT * FROM c LIMIT 5" --mode append \
		--output "sqlite://$PWD/out.db?table=scores" -q &&
	test "$(sql out.db "SELECT count(*) FROM scores")" = 12 &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --table c --mode append --proba \
		--output "sqlite://$PWD/out.db?table=scores" -q 2>err &&
	test_grep "table .scores. has the columns .customer_id, prediction.; the rows to append have .customer_id, prediction, no, yes.$" err &&
	test "$(sql out.db "SELECT count(*) FROM scores")" = 12 &&
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--table c --mode append -q \
		--output "sqlite://$PWD/new.db?table=fresh" &&
	test "$(sql new.db "SELECT count(*) FROM fresh")" = 300
'

test_expect_success SQLITE3 'hostile table names are quoted identifiers' '
	name="x\"; DROP TABLE c; --" &&
	sqlite3 churn.db "CREATE TABLE \"x\"\"; DROP TABLE c; --\" AS SELECT * FROM c" &&
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--table "$name" --output hostile.csv -q &&
	cut -d, -f1,3 plain.csv >expect &&
	test_cmp expect hostile.csv &&
	mmp batch-inference --model-dir churn --input "sqlite://$DB" \
		--table c --output "sqlite://$PWD/out.db?table=y\" --" -q &&
	test "$(sql churn.db "SELECT count(*) FROM c")" = 300 &&
	test "$(sql out.db "SELECT count(*) FROM \"y\"\" --\"")" = 300
'

# wait_for FILE: until FILE exists (up to 30 s)
wait_for() {
	i=0
	while ! test -e "$1"; do
		i=$((i + 1))
		test $i -lt 300 || return 1
		sleep 0.1
	done
}

test_expect_success SQLITE3 'kill -9 before COMMIT: readers and the file keep the old table' '
	rows out.db "SELECT * FROM scores ORDER BY rowid" >before.csv &&
	rm -f paused &&
	(MMP_TEST_PAUSE_BEFORE_COMMIT=$PWD/paused exec mmp batch-inference \
		--model-dir churn --input "$F/churn.csv" --proba \
		--output "sqlite://$PWD/out.db?table=scores" -q) &
	pid=$! &&
	wait_for paused &&
	rows out.db "SELECT * FROM scores ORDER BY rowid" >during.csv &&
	test_cmp before.csv during.csv &&
	kill -9 $pid && { wait $pid; true; } &&
	# the staged rows of a killed job stay in TMPDIR: nothing else
	test "$(ls tmp | sed "s/-[^-]*\$//")" = mmp-batch-output &&
	rm -f tmp/* &&
	rows out.db "SELECT * FROM scores ORDER BY rowid" >after.csv &&
	test_cmp before.csv after.csv &&
	test "$(sql out.db "SELECT count(*) FROM sqlite_master WHERE name LIKE \"%mmp_new\"")" = 0 &&
	test "$(sql out.db "PRAGMA integrity_check")" = ok
'

test_expect_success SQLITE3 'the same job run to the end replaces it' '
	MMP_TEST_PAUSE_BEFORE_COMMIT= mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --proba \
		--output "sqlite://$PWD/out.db?table=scores" -q &&
	test "$(sql out.db "SELECT count(*) FROM scores")" = 300
'

test_expect_success SQLITE3 'a bad value names the database row and column' '
	sqlite3 bad.db "ATTACH \"$DB\" AS src; CREATE TABLE c AS SELECT * FROM src.c;
		UPDATE c SET tenure = \"abc\" WHERE rowid = 4;" &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$PWD/bad.db" --table c --output bad.csv 2>err &&
	test_grep "^error: sqlite://$PWD/bad.db: row 4: column .tenure.: expected a number, got .abc." err &&
	! test -e bad.csv
'

test_expect_success SQLITE3 'bad databases, queries and options fail clearly' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$PWD/nope.db" --table c --output x.csv 2>err &&
	test_grep "cannot open .$PWD/nope.db.: No such file" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --query "SELEC 1" --output x.csv 2>err &&
	test_grep "syntax error" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --output x.csv 2>err &&
	test_grep "needs a query or a table" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --query "SELECT * FROM c WHERE 0" \
		--output "sqlite://$PWD/out.db?table=scores" 2>err &&
	test_grep "^error: sqlite://$DB: the query returned no rows$" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --query "SELECT customer_id FROM c" \
		--output x.csv 2>err &&
	test_grep "unknown column .tenure." err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --query "SELECT 1" --output x.csv 2>err &&
	test_grep "a query needs a database input" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output "sqlite://$PWD/out.db" 2>err &&
	test_grep "name the table to write" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --format jsonl \
		--output "sqlite://$PWD/out.db?table=j" 2>err &&
	test_grep "a database output takes the csv format" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output x.csv --mode append 2>err &&
	test_grep "mode needs a database --output" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --query "SELECT 1" --table c \
		--output x.csv 2>err &&
	test_grep "give --query or --table, not both" err &&
	test_expect_code 129 mmp batch-inference --model-dir churn \
		--input "sqlite://$DB" --table c --mode sideways \
		--output "sqlite://$PWD/out.db?table=t" 2>err &&
	! test -e x.csv &&
	test "$(sql out.db "SELECT count(*) FROM scores")" = 300 &&
	test -z "$(ls tmp)"
'

test_expect_success SQLITE3 'failed recorded jobs are FAILED, none RUNNING' '
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "sqlite://$PWD/bad.db" --table c --output ../bad.csv \
		2>err &&
	test "$(sql proj/.mmp/mmp.db "SELECT group_concat(status, \",\")
		FROM (SELECT status FROM runs ORDER BY status)")" = FAILED,FINISHED
'

test_done
