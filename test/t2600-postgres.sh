#!/bin/sh
# t2600-postgres: training from PostgreSQL on a private server: every
# type mapping, NULLs, a time split, a million rows in bounded memory,
# quoted table names, connection and query errors, and the password
# never in output, the store or the artifacts

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/pg-lib.sh"

if test -x /usr/bin/time; then test_set_prereq GNUTIME; fi
# the rows approve reads again are a temporary file here
mkdir -p tmp && TMPDIR=$PWD/tmp && export TMPDIR

# setup SQL, kept out of the quoted test bodies
cat >typed.sql <<'EOF'
SET ROLE alice;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE typed (
	id int8, a int2, b int4, c int8, d float4, e float8,
	f numeric(12,4), g bool, h text, i varchar(10), j char(3), k mood,
	day date, at timestamp, atz timestamptz, y float8,
	payload jsonb, arr int[], raw bytea);
INSERT INTO typed
SELECT n, (n % 7)::int2, n * 3, n::int8 * 1000000007, (n / 3.0)::float4,
	n * 0.25 + 0.1, (n * 1.5)::numeric(12,4), n % 2 = 0, 'h' || (n % 4),
	'v' || (n % 3), 'c' || (n % 2),
	(ARRAY['sad', 'ok', 'happy']::mood[])[n % 3 + 1],
	date '2024-01-01' + n, timestamp '2024-01-01' + n * interval '1 hour',
	timestamptz '2024-01-01 00:00:00+00' + n * interval '90 minutes',
	n * 2.0 + (n % 5) + (n % 7) * 3.5 + (n % 4) * 10,
	'{"n": 1}', ARRAY[n], '\x00ff'
FROM generate_series(1, 300) n;
UPDATE typed SET d = NULL, h = NULL, g = NULL, k = NULL WHERE id % 10 = 0;
CREATE SCHEMA "odd ""schema";
CREATE TABLE "odd ""schema"."t; DROP TABLE keep; --" (x int, y float8);
INSERT INTO "odd ""schema"."t; DROP TABLE keep; --"
	SELECT n, n * 2.5 FROM generate_series(1, 50) n;
CREATE TABLE keep (x int);
EOF

cat >lite.sql <<'EOF'
CREATE TABLE typed (id INTEGER, a INTEGER, b INTEGER, c INTEGER, d REAL,
	e REAL, f REAL, g INTEGER, h TEXT, i TEXT, j TEXT, k TEXT, atz TEXT,
	y REAL);
EOF

cat >export.sql <<'EOF'
SET TimeZone = 'UTC';
SET DateStyle = ISO;
COPY (SELECT id, a, b, c, d, e, f, g::int AS g, h, i, j, k, atz, y
	FROM typed ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER);
EOF

cat >big.sql <<'EOF'
SET ROLE alice;
CREATE TABLE big AS
SELECT n AS id, (n % 97)::float8 AS f1, (n % 89)::float8 AS f2,
	(n % 83)::int4 AS f3, ((n * 7) % 101)::float8 AS f4,
	(n % 13)::int2 AS f5, (n % 5)::float8 AS f6, ((n * 3) % 7)::int8 AS f7,
	((n % 97) * 0.5 + (n % 13) + (n % 5) * 2.0)::float8 AS y
FROM generate_series(1, 1000000) n;
EOF

# recipe NAME TASK SOURCE-LINE...: a small recipe in proj/recipes
recipe() {
	name=$1
	shift
	{
		echo "name: $name"
		echo "task: regression"
		echo "data:"
		for l in "$@"; do echo "  $l"; done
		echo "model:"
		echo "  params: {objective: \"reg:squarederror\", tree_method: hist, seed: 1}"
		echo "  num_boost_round: 20"
	} >"proj/recipes/$name.yaml"
}

URI=$(pg_uri)
FEATURES="feature_columns: [a, b, c, d, e, f, g, h, i, j, k]"

# no run is left RUNNING and the password is nowhere
no_running() {
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE status = \"RUNNING\"")" = 0
}

test_expect_success POSTGRES 'start a private server' '
	pg_start &&
	pg_sql_file typed.sql &&
	mmp init -q proj &&
	test "$(pg_sql "SELECT count(*) FROM typed")" = 300
'

test_expect_success POSTGRES,JQ 'train from a query, with PGPASSWORD' '
	recipe typed "source: \"$URI\"" \
		"query: SELECT * FROM typed ORDER BY id" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: atz, $FEATURES}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/typed.yaml --json >../pg.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get pg.json .status)" = FINISHED &&
	test "$(json_get pg.json .rows.total)" = 300 &&
	test "$(json_get pg.json .features)" = 11 &&
	test "$(json_get pg.json .dataset.path)" = "$URI"
'

test_expect_success POSTGRES,JQ 'each type maps to a numeric or categorical feature' '
	schema="$(json_get pg.json .model_dir)/mmp-schema.json" &&
	jq -r ".features[] | \"\(.name) \(.kind // .type)\"" "$schema" >kinds &&
	cat kinds &&
	for c in a b c d e f g; do grep -x "$c numeric" kinds || return 1; done &&
	for c in h i j k; do grep -x "$c categorical" kinds || return 1; done &&
	test "$(jq -c ".features[] | select(.name == \"k\") | .categories" "$schema")" = "[\"happy\",\"ok\",\"sad\"]" &&
	test "$(jq -c ".features[] | select(.name == \"j\") | .categories" "$schema")" = "[\"c0 \",\"c1 \"]" &&
	test "$(jq -c ".features[] | select(.name == \"h\") | .categories" "$schema")" = "[\"h0\",\"h1\",\"h2\",\"h3\"]"
'

test_expect_success POSTGRES,JQ 'the same rows as CSV (NULL as empty cells) train the same model' '
	pg_sql_file export.sql >proj/typed.csv &&
	test "$(wc -l <proj/typed.csv)" = 301 &&
	recipe typedcsv "source: ../typed.csv" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: atz, $FEATURES}" &&
	(cd proj && mmp train --recipe recipes/typedcsv.yaml --json >../csv.json) &&
	test "$(json_get pg.json .metrics)" = "$(json_get csv.json .metrics)" &&
	test "$(json_get pg.json .split_sha256)" = "$(json_get csv.json .split_sha256)" &&
	test "$(json_get pg.json .best_iteration)" = "$(json_get csv.json .best_iteration)"
'

test_expect_success POSTGRES,SQLITE3 'the run records the source, query, server, rows and digest' '
	id=$(json_get pg.json .run_id) &&
	tag() { sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE run_uuid = \"$1\" AND key = \"$2\""; } &&
	test "$(tag $id mmp.data.source)" = "$URI" &&
	test "$(tag $id mmp.data.kind)" = postgresql &&
	test "$(tag $id mmp.data.query)" = "SELECT * FROM typed ORDER BY id" &&
	test "$(tag $id mmp.data.rows)" = 300 &&
	tag $id mmp.data.server_version | grep -E "^PostgreSQL [0-9]+\.[0-9]+" &&
	test "$(sql proj/.mmp/mmp.db "SELECT name || \" \" || source_type || \" \" || num_rows || \" \" || digest FROM dataset_inputs WHERE run_uuid = \"$id\"")" = \
		"postgresql:query postgresql 300 $(tag $id mmp.data.rows_digest)" &&
	test "$(sql proj/.mmp/mmp.db "SELECT source FROM dataset_inputs WHERE run_uuid = \"$id\"")" = "$URI" &&
	test "$(json_get pg.json .dataset.digest)" = "$(tag $id mmp.data.rows_digest)" &&
	csvid=$(json_get csv.json .run_id) &&
	test "$(tag $csvid mmp.data.kind)" = csv &&
	test "$(tag $csvid mmp.data.rows_digest)" = "$(tag $id mmp.data.rows_digest)" &&
	test "$(json_get csv.json .dataset.digest)" = "$(sha256sum <proj/typed.csv | cut -c1-64)"
'

test_expect_success POSTGRES,JQ,SQLITE3 'the same rows from CSV, SQLite and PostgreSQL have one rows digest' '
	sqlite3 proj/typed.db ".read lite.sql" \
		".import --csv --skip 1 proj/typed.csv typed" \
		"UPDATE typed SET d = NULL WHERE length(d) = 0;
		 UPDATE typed SET g = NULL WHERE length(g) = 0;
		 UPDATE typed SET h = NULL WHERE length(h) = 0;
		 UPDATE typed SET k = NULL WHERE length(k) = 0;" &&
	test "$(sql proj/typed.db "SELECT count(*) FROM typed WHERE d IS NULL")" = 30 &&
	recipe typedlite "source: \"sqlite://$PWD/proj/typed.db\"" \
		"query: SELECT * FROM typed ORDER BY id" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: atz, $FEATURES}" &&
	(cd proj && mmp train --recipe recipes/typedlite.yaml --json >../lite.json) &&
	tag() { sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE run_uuid = \"$1\" AND key = \"$2\""; } &&
	d=$(tag "$(json_get pg.json .run_id)" mmp.data.rows_digest) &&
	test "$(tag "$(json_get csv.json .run_id)" mmp.data.rows_digest)" = "$d" &&
	test "$(tag "$(json_get lite.json .run_id)" mmp.data.rows_digest)" = "$d" &&
	test "$(json_get lite.json .metrics)" = "$(json_get pg.json .metrics)" &&
	pg_sql "UPDATE typed SET a = a + 1 WHERE id = 9" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/typed.yaml --json >../pg9.json) &&
	test "$(tag "$(json_get pg9.json .run_id)" mmp.data.rows_digest)" != "$d" &&
	pg_sql "UPDATE typed SET a = a - 1 WHERE id = 9"
'

test_expect_success POSTGRES,JQ 'a time split on a timestamptz column matches the CSV one' '
	recipe typedtime "source: \"$URI\"" "query: SELECT * FROM typed ORDER BY id" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: atz, $FEATURES}" \
		"split: {method: time, test_size: 0.2}" &&
	recipe typedtimecsv "source: ../typed.csv" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: atz, $FEATURES}" \
		"split: {method: time, test_size: 0.2}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/typedtime.yaml --json >../pgt.json &&
		mmp train --recipe recipes/typedtimecsv.yaml --json >../csvt.json) &&
	test "$(json_get pgt.json .rows.test)" = 60 &&
	test "$(json_get pgt.json .split_sha256)" = "$(json_get csvt.json .split_sha256)" &&
	test "$(json_get pgt.json .metrics)" = "$(json_get csvt.json .metrics)"
'

test_expect_success POSTGRES,JQ 'a time split on a date and on a timestamp column' '
	recipe byday "source: \"$URI\"" "query: SELECT id, day, a, b, y FROM typed" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: day}" \
		"split: {method: time, test_size: 0.1}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/byday.yaml --json >../day.json) &&
	test "$(json_get day.json ".rows.test")" = 30 &&
	test "$(json_get day.json ".features")" = 2 &&
	recipe byat "source: \"$URI\"" "query: SELECT id, at, a, y FROM typed" \
		"interface: {target_column: y, entity_columns: [id], timestamp_column: at}" \
		"split: {method: time, test_size: 0.1}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/byat.yaml --json >../at.json) &&
	test "$(json_get at.json .status)" = FINISHED
'

test_expect_success POSTGRES,SQLITE3 'a NULL target is an error naming row and column' '
	recipe nully "source: \"$URI\"" \
		"query: SELECT a, CASE WHEN id = 7 THEN NULL ELSE y END AS y FROM typed ORDER BY id" \
		"interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/nully.yaml 2>../err) &&
	grep "error: .*postgresql://alice@/shop?host=.*: row 7: missing value in target column .y." err &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'json, arrays and bytea are errors naming column and type' '
	for c in "payload jsonb" "arr integer\\[\\]" "raw bytea"; do
		set -- $c &&
		recipe bad$1 "source: \"$URI\"" "query: SELECT a, $1, y FROM typed" \
			"interface: {target_column: y}" &&
		(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/bad$1.yaml 2>../err) &&
		grep "column .$1. has type $2, which mmp cannot read" err || return 1
	done &&
	no_running &&
	test "$(sql proj/.mmp/mmp.db "SELECT count(*) FROM runs WHERE status = \"FAILED\"")" -ge 3
'

test_expect_success POSTGRES,JQ 'a column of another type that is not read is fine' '
	recipe skipjson "source: \"$URI\"" "query: SELECT a, b, payload, y FROM typed" \
		"interface: {target_column: y, feature_columns: [a, b]}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/skipjson.yaml --json >../sk.json) &&
	test "$(json_get sk.json .features)" = 2
'

test_expect_success POSTGRES,JQ,SQLITE3 'a hostile table name is quoted, never run' '
	cat >proj/recipes/odd.yaml <<-EOF &&
	name: odd
	task: regression
	data:
	  source: "$URI"
	  table: "odd \"schema.t; DROP TABLE keep; --"
	  interface: {target_column: y}
	model:
	  params: {objective: "reg:squarederror"}
	  num_boost_round: 5
	EOF
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/odd.yaml --json >../odd.json) &&
	test "$(json_get odd.json .rows.total)" = 50 &&
	test "$(pg_sql "SELECT count(*) FROM keep")" = 0 &&
	recipe nosuch "source: \"$URI\"" "table: no_such" "interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/nosuch.yaml 2>../err) &&
	grep "the query failed: ERROR:  relation \"no_such\" does not exist" err &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'a wrong password is a clear error' '
	(cd proj && PGPASSWORD=wrong-pw-123 test_expect_code 1 mmp train --recipe recipes/typed.yaml >../out 2>../err) &&
	grep "error: .*postgresql://alice@/shop?host=.*: cannot connect: .*password authentication failed for user \"alice\"" err &&
	! grep wrong-pw-123 out err &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'an unreachable server is a clear error' '
	recipe away "source: \"postgresql://alice@127.0.0.1:1/shop?connect_timeout=5\"" \
		"table: typed" "interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/away.yaml 2>../err) &&
	grep "error: .*postgresql://alice@127.0.0.1:1/shop?connect_timeout=5: cannot connect: .*Connection refused" err &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'bad SQL is a clear error' '
	recipe badsql "source: \"$URI\"" "query: SELEC a, y FROM typed" \
		"interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/badsql.yaml 2>../err) &&
	grep "the query failed: ERROR:  syntax error at or near \"SELEC\"" err &&
	no_running
'

test_expect_success POSTGRES,SQLITE3 'an empty result is a clear error' '
	recipe empty "source: \"$URI\"" "query: SELECT a, y FROM typed WHERE false" \
		"interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/empty.yaml 2>../err) &&
	grep "error: .*: the query returned no rows" err &&
	no_running
'

test_expect_success POSTGRES 'two statements in one query are refused' '
	recipe two "source: \"$URI\"" "query: SELECT a, y FROM typed; DROP TABLE keep" \
		"interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/two.yaml 2>../err) &&
	grep "cannot insert multiple commands into a prepared statement" err &&
	test "$(pg_sql "SELECT count(*) FROM keep")" = 0
'

test_expect_success POSTGRES,JQ 'the password comes from ~/.pgpass' '
	printf "*:*:*:alice:%s\n" "$PG_PASSWORD" >"$HOME/.pgpass" &&
	chmod 600 "$HOME/.pgpass" &&
	(cd proj && mmp train --recipe recipes/typed.yaml --json >../pass.json) &&
	test "$(json_get pass.json .status)" = FINISHED &&
	rm "$HOME/.pgpass"
'

test_expect_success POSTGRES,JQ 'the password comes from ${VAR} in the URI, with libpq parameters' '
	cat >proj/recipes/var.yaml <<-EOF &&
	name: var
	task: regression
	data:
	  source: "postgresql://alice:\${SHOP_PW}@/shop?host=$PG_DIR&port=$PG_PORT&sslmode=disable"
	  query: SELECT a, b, y FROM typed
	  interface: {target_column: y}
	model:
	  params: {objective: "reg:squarederror"}
	  num_boost_round: 5
	EOF
	(cd proj && SHOP_PW=$PG_PASSWORD mmp train --recipe recipes/var.yaml --json >../var.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get var.json .dataset.path)" = "postgresql://alice@/shop?host=$PG_DIR&port=$PG_PORT&sslmode=disable" &&
	(cd proj && SHOP_PW=$PG_PASSWORD mmp train --recipe recipes/var.yaml >../var.out 2>&1) &&
	(cd proj && SHOP_PW=wrong-pw-456 test_expect_code 1 mmp train --recipe recipes/var.yaml >../var2.out 2>&1) &&
	! grep -e wrong-pw-456 -e "$PG_PASSWORD" var2.out
'

test_expect_success POSTGRES 'libpq settings are checked: a bad sslmode' '
	recipe ssl "source: \"$URI&sslmode=bogus\"" "table: typed" \
		"interface: {target_column: y}" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp train --recipe recipes/ssl.yaml 2>../err) &&
	grep "cannot connect: invalid sslmode value: \"bogus\"" err
'

test_expect_success POSTGRES 'a password written in the recipe is refused' '
	recipe literal "source: \"postgresql://alice:$PG_PASSWORD@/shop?host=$PG_DIR\"" \
		"table: typed" "interface: {target_column: y}" &&
	(cd proj && test_expect_code 1 mmp train --recipe recipes/literal.yaml >../out 2>../err) &&
	grep "data.source: .*password" err &&
	! grep -e "$PG_PASSWORD" out err &&
	rm proj/recipes/literal.yaml &&
	(cd proj && test_expect_code 1 mmp train --recipe recipes/typed.yaml \
		--set "data.source=postgresql://alice:$PG_PASSWORD@/shop?host=$PG_DIR" >../out 2>../err) &&
	! grep -e "$PG_PASSWORD" out err
'

test_expect_success POSTGRES,GNUTIME,JQ,NOT_SANITIZED 'a million rows train in no more memory than the CSV path' '
	pg_sql_file big.sql &&
	pg_sql "COPY big TO STDOUT WITH (FORMAT csv, HEADER)" >proj/big.csv &&
	recipe bigpg "source: \"$URI\"" "table: big" \
		"interface: {target_column: y, entity_columns: [id]}" &&
	recipe bigcsv "source: ../big.csv" \
		"interface: {target_column: y, entity_columns: [id]}" &&
	echo "evaluation: {bootstrap: 0}" >>proj/recipes/bigpg.yaml &&
	echo "evaluation: {bootstrap: 0}" >>proj/recipes/bigcsv.yaml &&
	(cd proj && PGPASSWORD=$PG_PASSWORD /usr/bin/time -v mmp train --recipe recipes/bigpg.yaml \
		--set model.num_boost_round=3 --json >../bigpg.json 2>../bigpg.time) &&
	(cd proj && /usr/bin/time -v mmp train --recipe recipes/bigcsv.yaml \
		--set model.num_boost_round=3 --json >../bigcsv.json 2>../bigcsv.time) &&
	test "$(json_get bigpg.json .rows.total)" = 1000000 &&
	test "$(json_get bigpg.json .metrics)" = "$(json_get bigcsv.json .metrics)" &&
	pg_kb=$(sed -n "s/.*Maximum resident set size (kbytes): //p" bigpg.time) &&
	csv_kb=$(sed -n "s/.*Maximum resident set size (kbytes): //p" bigcsv.time) &&
	echo "peak RSS: postgresql $pg_kb kB, csv $csv_kb kB" &&
	test "$pg_kb" -le "$csv_kb"
'

test_expect_success POSTGRES,JQ 'approve scores the test rows read again from the query' '
	echo "comparison: {metric: rmse}" >cmp.yaml &&
	(cd proj && PGPASSWORD=$PG_PASSWORD mmp train --recipe recipes/typed.yaml \
		--set model.num_boost_round=3 --json >../weak.json) &&
	(cd proj &&
	 mmp register "$(json_get ../weak.json .run_id)" --name typed >/dev/null &&
	 mmp register "$(json_get ../pg.json .run_id)" --name typed >/dev/null &&
	 PGPASSWORD=$PG_PASSWORD mmp approve typed 1 --policy ../cmp.yaml >/dev/null &&
	 mmp promote typed 1 Production >/dev/null &&
	 { PGPASSWORD=$PG_PASSWORD mmp approve typed 2 --policy ../cmp.yaml \
		--json >../ap.json; echo $? >../ap.code; }) &&
	jq .approval.evidence.comparison ap.json &&
	c=".approval.evidence.comparison" &&
	test "$(json_get ap.json $c.rows.source)" = test &&
	test "$(json_get ap.json $c.rows.file)" = "$URI" &&
	test "$(json_get ap.json $c.rows.count)" = "$(json_get pg.json .rows.test)" &&
	test "$(json_get ap.json $c.rows.file_rows)" = 300 &&
	test "$(json_get ap.json $c.rows.rows_digest)" = "$(json_get pg.json .dataset.digest)" &&
	test "$(json_get ap.json $c.rows.rows_sha256)" = "$(json_get pg.json .split_sha256.test)" &&
	test "$(json_get ap.json $c.outcome)" = improved &&
	test "$(cat ap.code)" = 0 &&
	test -z "$(ls tmp)"
'

test_expect_success POSTGRES,JQ 'the same comparison on the same rows as CSV gives the same numbers' '
	(cd proj && mmp train --recipe recipes/typedcsv.yaml \
		--set model.num_boost_round=3 --json >../weakcsv.json &&
	 mmp register "$(json_get ../weakcsv.json .run_id)" --name typedcsv >/dev/null &&
	 mmp register "$(json_get ../csv.json .run_id)" --name typedcsv >/dev/null &&
	 mmp approve typedcsv 1 --policy ../cmp.yaml >/dev/null &&
	 mmp promote typedcsv 1 Production >/dev/null &&
	 mmp approve typedcsv 2 --policy ../cmp.yaml --json >../apcsv.json) &&
	for k in value baseline difference difference_low difference_high \
		rows.count rows.rows_sha256 outcome; do
		test "$(json_get ap.json .approval.evidence.comparison.$k)" = \
			"$(json_get apcsv.json .approval.evidence.comparison.$k)" ||
		return 1
	done
'

test_expect_success POSTGRES 'approve refuses rows that changed, naming both digests' '
	pg_sql "UPDATE typed SET y = y + 1 WHERE id = 5" &&
	(cd proj && PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp approve typed 2 --policy ../cmp.yaml 2>../err) &&
	test -z "$(ls tmp)" &&
	test_grep "the rows of .postgresql://alice@/shop[^ ]*. changed since run [0-9a-f]{8} was trained on them \(rows digest [0-9a-f]{12} then, [0-9a-f]{12} now\)" err &&
	pg_sql "UPDATE typed SET y = y - 1 WHERE id = 5"
'

test_expect_success POSTGRES,JQ 'doctor checks each database a recipe reads' '
	mmp init -q doc &&
	rm -f doc/recipes/*.yaml &&
	cp proj/recipes/typed.yaml proj/recipes/var.yaml doc/recipes/ &&
	(cd doc && SHOP_PW=$PG_PASSWORD PGPASSWORD=$PG_PASSWORD mmp doctor --check databases --json >../doc.json) &&
	test "$(json_get doc.json ".checks[0].name")" = databases &&
	test "$(json_get doc.json ".checks[0].status")" = ok &&
	test "$(json_get doc.json ".checks[0].summary")" = "2 database sources reachable, logged in, queries parse" &&
	json_get doc.json ".checks[0].details[]" >details &&
	test_grep "typed.yaml: postgresql://alice@/shop\?host=[^ ]*: reachable, logged in, the query parses \(EXPLAIN\), PostgreSQL [0-9]+" details &&
	test_grep "var.yaml: postgresql://alice@/shop\?host=[^ ]*&sslmode=disable: reachable" details
'

test_expect_success POSTGRES,JQ 'doctor names an unreachable server, a failed login and bad SQL' '
	cp proj/recipes/away.yaml proj/recipes/badsql.yaml doc/recipes/ &&
	(cd doc && SHOP_PW=wrong-pw-789 PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp doctor --check databases --json >../doc2.json) &&
	(cd doc && SHOP_PW=wrong-pw-789 PGPASSWORD=$PG_PASSWORD test_expect_code 1 mmp -v doctor --check databases >../doc2.txt) &&
	test "$(json_get doc2.json ".checks[0].status")" = fail &&
	json_get doc2.json ".checks[0].details[]" >details &&
	test_grep "away.yaml: postgresql://alice@127.0.0.1:1/shop[^ ]*: cannot reach the server: .*Connection refused" details &&
	test_grep "badsql.yaml: .*: the query does not parse: ERROR:  syntax error at or near \"SELEC\"" details &&
	test_grep "var.yaml: .*: cannot log in: .*password authentication failed for user \"alice\"" details &&
	test_grep "typed.yaml: .*: reachable, logged in, the query parses" details &&
	! grep -e wrong-pw-789 -e "$PG_PASSWORD" doc2.json doc2.txt
'

test_expect_success POSTGRES 'the password is not in the store, the artifacts or any output' '
	! grep -r -a -l -e "$PG_PASSWORD" proj/.mmp &&
	! grep -a -l -e "$PG_PASSWORD" *.json err out var.out var2.out doc2.txt &&
	! grep -r -a -l -e "$PG_PASSWORD" doc/.mmp
'

test_done
