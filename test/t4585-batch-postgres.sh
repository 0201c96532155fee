#!/bin/sh
# t4585-batch-postgres: batch-inference from a PostgreSQL query or table
# and into a PostgreSQL table on a private server: the same predictions
# as from the CSV, replace and append each in one transaction (kill -9
# before COMMIT leaves the old table, a waiting reader sees all or
# nothing), hostile names quoted, clear errors, and the password never
# shown or stored

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/pg-lib.sh"

F="$FIXTURES/serve"
# the exported input and the staged output are temporary files here
mkdir -p tmp && TMPDIR=$PWD/tmp && export TMPDIR

cat >setup.sql <<'EOF'
SET ROLE alice;
CREATE TABLE c (n serial, customer_id text, tenure int4, charges float8,
	plan text, region text, churned text);
CREATE TABLE keep (x int);
CREATE SCHEMA "odd ""schema";
CREATE SCHEMA kept;
EOF

# out URI-TAIL: the URI of table TAIL (SCHEMA.TABLE, raw) in shop
out() {
	printf 'postgresql://%s@/%s/%s?host=%s&port=%s' "$PG_USER" "$PG_DB" \
		"$1" "$PG_DIR" "$PG_PORT"
}

# rows SQL: the result as CSV with a header
rows() {
	pg_sql "COPY ($1) TO STDOUT WITH (FORMAT csv, HEADER)"
}

# wait_for FILE: until FILE exists (up to 30 s)
wait_for() {
	i=0
	while ! test -e "$1"; do
		i=$((i + 1))
		test $i -lt 300 || return 1
		sleep 0.1
	done
}

no_running() {
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE status = 'RUNNING'")" = 0
}

URI=$(pg_uri)
PGPASSWORD=$PG_PASSWORD
export PGPASSWORD

test_expect_success POSTGRES 'setup: a private server, the rows in a table, a model' '
	pg_start &&
	pg_sql_file setup.sql &&
	pg_sql "COPY c (customer_id, tenure, charges, plan, region, churned)
		FROM STDIN WITH (FORMAT csv, HEADER)" <"$F/churn.csv" &&
	test "$(pg_sql "SELECT count(*) FROM c")" = 300 &&
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	mkmodel train houses "$F/houses.csv" regression price &&
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output plain.csv --proba --keep tenure -q &&
	mmp init -q proj
'

test_expect_success POSTGRES 'a table and a query predict what the CSV predicts' '
	mmp batch-inference --model-dir churn --input "$URI" --table c \
		--output t.csv --proba --keep tenure -q &&
	test_cmp plain.csv t.csv &&
	mmp batch-inference --model-dir churn --input "$URI" \
		--query "SELECT * FROM c ORDER BY n" --output q.csv \
		--proba --keep tenure -q &&
	test_cmp plain.csv q.csv
'

test_expect_success POSTGRES,JQ,SQLITE3 'the run records the server without the password' '
	mmp -C proj batch-inference --model-dir ../churn --input "$URI" \
		--query "SELECT * FROM c" --output ../rec.csv --json >rec.json &&
	test "$(json_get rec.json .input)" = "$URI" &&
	test "$(json_get rec.json .query)" = "SELECT * FROM c" &&
	id=$(json_get rec.json .run_id) &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params
		WHERE run_uuid = '\''$id'\'' AND key = '\''input'\''")" = "$URI" &&
	test "$(sql proj/.mmp/mmp.db "SELECT source_type || '\'' '\'' || num_rows
		FROM dataset_inputs WHERE run_uuid = '\''$id'\''")" = "postgresql 300" &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs
		WHERE run_uuid = '\''$id'\''")" = FINISHED
'

test_expect_success POSTGRES,JQ 'a password in the URI is never shown' '
	pw_uri="postgresql://alice:$PG_PASSWORD@/shop?host=$PG_DIR&port=$PG_PORT" &&
	PGPASSWORD= mmp batch-inference --model-dir churn --input "$pw_uri" \
		--table c --output pw.csv --proba --keep tenure --json \
		>pw.json 2>err &&
	test "$(json_get pw.json .input)" = "$URI" &&
	test_cmp t.csv pw.csv &&
	PGPASSWORD= test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$pw_uri" --query "SELEC 1" --output pw2.csv >out 2>>err &&
	! grep -e "$PG_PASSWORD" pw.json out err
'

test_expect_success POSTGRES 'the predictions go into a table: text, integers and numbers typed' '
	mmp batch-inference --model-dir churn --input "$F/churn.csv" \
		--output "$(out scores)" --proba --keep tenure -q 2>err &&
	test_must_be_empty err &&
	rows "SELECT * FROM scores" >got.csv &&
	test_cmp plain.csv got.csv &&
	test "$(pg_sql "SELECT string_agg(column_name || '\'' '\'' || data_type, '\'','\''
		ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = '\''public'\'' AND table_name = '\''scores'\''")" = \
		"customer_id text,tenure bigint,prediction text,no double precision,yes double precision" &&
	test "$(pg_sql "SELECT tableowner FROM pg_tables WHERE tablename = '\''scores'\''")" = alice &&
	mmp batch-inference --model-dir houses --input "$F/houses.csv" \
		--output "$(out public.prices)" -q &&
	test "$(pg_sql "SELECT count(*) FROM public.prices")" = \
		$(($(wc -l <"$F/houses.csv") - 1)) &&
	mmp batch-inference --model-dir houses --input "$F/houses.csv" \
		--output plainp.csv -q &&
	rows "SELECT * FROM prices" >gotp.csv &&
	test_cmp plainp.csv gotp.csv
'

test_expect_success POSTGRES 'kept columns: integers, numbers, and ids with leading zeros as text' '
	mmp batch-inference --model-dir churn --input "$URI" \
		--query "SELECT *, lpad(n::text, 5, '\''0'\'') AS code, n::int8 * 1000000007 AS num,
			CASE WHEN n = 3 THEN NULL ELSE charges END AS amount
			FROM c ORDER BY n" \
		--keep code,num,amount,region --output "$(out kept.scores)" -q &&
	test "$(pg_sql "SELECT string_agg(column_name || '\'' '\'' || data_type, '\'','\''
		ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = '\''kept'\'' AND table_name = '\''scores'\''")" = \
		"customer_id text,code text,num bigint,amount double precision,region text,prediction text" &&
	test "$(pg_sql "SELECT code || '\'' '\'' || num || '\'' '\'' || (amount IS NULL) FROM kept.scores
		WHERE code = '\''00003'\''")" = "00003 3000000021 true" &&
	test "$(pg_sql "SELECT count(*) FROM kept.scores s JOIN c ON c.n::int8 * 1000000007 = s.num")" = 300
'

test_expect_success POSTGRES 'replace: the old table is replaced whole, nothing left over' '
	mmp batch-inference --model-dir churn --input "$URI" \
		--query "SELECT * FROM c ORDER BY n LIMIT 7" \
		--output "$(out scores)" -q &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 7 &&
	test "$(pg_sql "SELECT string_agg(column_name, '\'','\'' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = '\''public'\''
		AND table_name = '\''scores'\''")" = customer_id,prediction &&
	test "$(pg_sql "SELECT string_agg(tablename, '\'' '\'' ORDER BY tablename)
		FROM pg_tables WHERE schemaname = '\''public'\''")" = "c keep prices scores"
'

test_expect_success POSTGRES 'append: rows added in one go; other columns refused' '
	mmp batch-inference --model-dir churn --input "$URI" \
		--query "SELECT * FROM c ORDER BY n LIMIT 5" --mode append \
		--output "$(out scores)" -q &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 12 &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$URI" --table c --mode append --proba \
		--output "$(out scores)" -q 2>err &&
	test_grep "table .public.scores. has the columns .customer_id, prediction.; the rows to append have .customer_id, prediction, no, yes.$" err &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 12 &&
	mmp batch-inference --model-dir churn --input "$URI" --table c \
		--mode append --output "$(out fresh)" -q &&
	test "$(pg_sql "SELECT count(*) FROM fresh")" = 300
'

test_expect_success POSTGRES 'hostile table names are quoted identifiers' '
	pg_sql "SET ROLE alice; CREATE TABLE \"odd \"\"schema\".\"t; DROP TABLE keep; --\" AS SELECT * FROM c" &&
	mmp batch-inference --model-dir churn --input "$URI" \
		--table "odd \"schema.t; DROP TABLE keep; --" --output hostile.csv -q &&
	cut -d, -f1,3 plain.csv >expect &&
	test_cmp expect hostile.csv &&
	mmp batch-inference --model-dir churn --input "$URI" --table c \
		--output "$(out "odd \"schema.y\"; DROP TABLE keep; --")" -q &&
	mmp batch-inference --model-dir churn --input "$URI" --table c \
		--output "$(out "odd%20%22schema.z%3F%23%2F")" -q &&
	test "$(pg_sql "SELECT count(*) FROM keep")" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM \"odd \"\"schema\".\"y\"\"; DROP TABLE keep; --\"")" = 300 &&
	test "$(pg_sql "SELECT count(*) FROM \"odd \"\"schema\".\"z?#/\"")" = 300
'

test_expect_success POSTGRES 'kill -9 before COMMIT: a waiting reader and the table keep the old rows' '
	rows "SELECT * FROM scores" >before.csv &&
	rm -f paused &&
	{ (MMP_TEST_PAUSE_BEFORE_COMMIT=$PWD/paused exec mmp batch-inference \
		--model-dir churn --input "$F/churn.csv" --proba \
		--output "$(out scores)" -q) & pid=$!; } &&
	wait_for paused &&
	{ (rows "SELECT * FROM scores" >during.csv) & reader=$!; } &&
	sleep 0.5 &&
	kill -9 $pid && { wait $pid; true; } &&
	wait $reader &&
	test_cmp before.csv during.csv &&
	rows "SELECT * FROM scores" >after.csv &&
	test_cmp before.csv after.csv &&
	test "$(pg_sql "SELECT count(*) FROM pg_class WHERE relname LIKE '\''mmp_new%'\''")" = 0 &&
	test "$(ls tmp | sed "s/-[^-]*\$//")" = mmp-batch-output &&
	rm -f tmp/*
'

test_expect_success POSTGRES 'the same job run to the end: the waiting reader sees every new row' '
	rm -f paused &&
	{ (MMP_TEST_PAUSE_BEFORE_COMMIT=$PWD/paused exec mmp batch-inference \
		--model-dir churn --input "$F/churn.csv" --proba \
		--output "$(out scores)" -q) & pid=$!; } &&
	wait_for paused &&
	{ (pg_sql "SELECT count(*) FROM scores" >during) & reader=$!; } &&
	sleep 0.5 &&
	rm paused &&
	wait $pid &&
	wait $reader &&
	test "$(cat during)" = 300 &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	test -z "$(ls tmp)"
'

test_expect_success POSTGRES 'kill -9 while appending: readers never see the new rows' '
	rm -f paused &&
	{ (MMP_TEST_PAUSE_BEFORE_COMMIT=$PWD/paused exec mmp batch-inference \
		--model-dir churn --input "$F/churn.csv" --proba --mode append \
		--output "$(out scores)" -q) & pid=$!; } &&
	wait_for paused &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	kill -9 $pid && { wait $pid; true; } &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	rm -f tmp/*
'

test_expect_success POSTGRES,SQLITE3 'a wrong password: a clear error, nothing written, no run RUNNING' '
	test_expect_code 1 env PGPASSWORD=wrong-pw-321 mmp -C proj batch-inference \
		--model-dir ../churn --input "$URI" --table c --output ../x.csv \
		>out 2>err &&
	test_grep "^error: postgresql://alice@/shop[?]host=[^ ]*: cannot connect: .*password authentication failed for user \"alice\"" err &&
	test_expect_code 1 env PGPASSWORD=wrong-pw-321 mmp -C proj batch-inference \
		--model-dir ../churn --input "$F/churn.csv" --output "$(out scores)" \
		>>out 2>err &&
	test_grep "cannot connect: .*password authentication failed" err &&
	! grep wrong-pw-321 out err &&
	! test -e x.csv &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'an unreachable server, bad SQL and an empty result fail clearly' '
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "postgresql://alice@127.0.0.1:1/shop?connect_timeout=5" \
		--table c --output ../x.csv 2>err &&
	test_grep "^error: postgresql://alice@127.0.0.1:1/shop[?]connect_timeout=5: cannot connect: .*Connection refused" err &&
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "$URI" --query "SELEC 1" --output ../x.csv 2>err &&
	test_grep "the query failed: ERROR:  syntax error at or near \"SELEC\"" err &&
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "$URI" --query "SELECT * FROM c WHERE false" \
		--output "$(out scores)" 2>err &&
	test_grep "^error: postgresql://alice@/shop[?]host=[^ ]*: the query returned no rows$" err &&
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "$URI" --table no_such --output ../x.csv 2>err &&
	test_grep "relation \"no_such\" does not exist" err &&
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "$URI" --query "SELECT customer_id FROM c" \
		--output ../x.csv 2>err &&
	test_grep "unknown column .tenure." err &&
	! test -e x.csv &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'a failed write leaves the table and marks the run FAILED' '
	pg_sql "CREATE VIEW scores_view AS SELECT * FROM scores" &&
	test_expect_code 1 mmp -C proj batch-inference --model-dir ../churn \
		--input "$URI" --table c --output "$(out scores)" 2>err &&
	test_grep "cannot replace the table: ERROR:  cannot drop table scores because other objects depend on it" err &&
	test "$(pg_sql "SELECT count(*) FROM scores")" = 300 &&
	test "$(pg_sql "SELECT count(*) FROM pg_class WHERE relname LIKE '\''mmp_new%'\''")" = 0 &&
	test "$(sql proj/.mmp/mmp.db "SELECT status FROM runs ORDER BY start_time DESC LIMIT 1")" = FAILED &&
	no_running &&
	pg_sql "DROP VIEW scores_view"
'

test_expect_success POSTGRES 'bad output locations fail clearly' '
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output "$URI" 2>err &&
	test_grep "name the table to write: postgresql://HOST/DATABASE/SCHEMA.TABLE" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output "$(out public.)" 2>err &&
	test_grep "the table name is empty" err &&
	long=$(printf "%070d" 0) &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output "$(out "t$long")" 2>err &&
	test_grep "is longer than PostgreSQL.s 63 bytes" err &&
	test_expect_code 1 mmp batch-inference --model-dir churn \
		--input "$F/churn.csv" --output "$(out no_schema.t)" 2>err &&
	test_grep "schema \"no_schema\" does not exist" err &&
	test -z "$(ls tmp)"
'

test_expect_success POSTGRES 'the password is not in the store or any output' '
	! grep -r -a -l -e "$PG_PASSWORD" proj/.mmp &&
	! grep -a -l -e "$PG_PASSWORD" *.json *.csv err out
'

test_done
