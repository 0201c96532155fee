#!/bin/sh
# t2045-data-sqlite: sqlite:// sources read-only through the store's
# cursor: the same rows as the CSV give the same model, type mapping by
# declared type and value, NULLs, a time split, hostile table names, and
# bad sources failing clearly with no run left RUNNING

. "$(dirname "$0")/test-lib.sh"

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
DATA=$PWD/proj/recipes/data

# recipe NAME SOURCE KEY VALUE [TARGET] [EXTRA]: a binary recipe reading
# SOURCE with data.KEY: VALUE
recipe() {
	cat >"proj/recipes/$1.yaml" <<-EOF
	name: $1
	task: binary_classification
	experiment: sqlite
	data:
	  source: "$2"
	  $3: '$4'
	  interface:
	    target_column: ${5:-target}
	$6
	  split:
	    test_size: 0.2
	    seed: 42
	model:
	  params:
	    objective: binary:logistic
	    max_depth: 3
	    eta: 0.1
	    seed: 42
	  num_boost_round: 40
	EOF
}

# train NAME OUT: train recipes/NAME.yaml, --json into OUT
train() {
	(cd proj && mmp train -q --recipe "recipes/$1.yaml" --json) >"$2"
}

runs_with() {
	mmp runs list --json | jq "[.runs[] | select(.status == \"$1\")] | length"
}

test_expect_success SQLITE3 'set up: the breast cancer rows in an SQLite table' '
	mmp init -q proj &&
	cols=$(head -n 1 $DATA/breast_cancer.csv | tr , "\n" |
		sed "s/\$/ REAL/" | paste -s -d , -) &&
	sqlite3 bc.db "CREATE TABLE bc ($cols);" \
		".import --csv --skip 1 $DATA/breast_cancer.csv bc" &&
	test "$(sql bc.db "SELECT count(*) FROM bc")" = 569 &&
	sha256sum <bc.db >bc.sum &&
	sed "s#source: data/breast_cancer.csv#source: data/breast_cancer.csv#" \
		proj/recipes/breast-cancer.yaml >proj/recipes/csv.yaml &&
	recipe table "sqlite://$PWD/bc.db" table bc &&
	recipe query "sqlite://$PWD/bc.db" query \
		"SELECT * FROM bc ORDER BY rowid" &&
	recipe csvsame "$DATA/breast_cancer.csv" delimiter ,
'

test_expect_success SQLITE3,JQ 'table and query train the model the CSV trains' '
	train csvsame csv.json &&
	train table table.json &&
	train query query.json &&
	for j in table query
	do
		test "$(json_get $j.json .status)" = FINISHED &&
		test "$(json_get $j.json .rows.total)" = 569 &&
		test "$(json_get $j.json ".metrics | tojson")" = \
			"$(json_get csv.json ".metrics | tojson")" &&
		test "$(json_get $j.json ".split_sha256 | tojson")" = \
			"$(json_get csv.json ".split_sha256 | tojson")" &&
		cmp "$(json_get csv.json .model_dir)/model.ubj" \
			"$(json_get $j.json .model_dir)/model.ubj" || return 1
	done &&
	test "$(json_get table.json .dataset.path)" = "sqlite://$PWD/bc.db"
'

test_expect_success SQLITE3 'reading never changes the file' '
	sha256sum <bc.db >now.sum &&
	test_cmp bc.sum now.sum &&
	! test -e bc.db-wal && ! test -e bc.db-journal
'

test_expect_success SQLITE3,JQ 'immutable=1 reads the same rows' '
	recipe immut "sqlite://$PWD/bc.db?immutable=1" table bc &&
	train immut immut.json &&
	test "$(json_get immut.json ".metrics | tojson")" = \
		"$(json_get csv.json ".metrics | tojson")"
'

test_expect_success SQLITE3,JQ 'types: declared types and values decide numeric or categorical' '
	sqlite3 types.db "CREATE TABLE t (i INTEGER, r REAL, n NUMERIC,
		b BOOLEAN, c VARCHAR(8), tx TEXT, d DATE, u, target INT);" &&
	awk "BEGIN { srand(7); for (k = 0; k < 200; k++)
		printf \"INSERT INTO t VALUES (%d, %.3f, %d.5, %d, %s, %s, %s, %s, %d);\n\",
			k % 17, rand(), k % 5, k % 2,
			k % 3 ? \"\\\"c\" k % 4 \"\\\"\" : \"NULL\",
			\"\\\"x\" k % 3 \"\\\"\",
			\"\\\"2024-01-\" sprintf(\"%02d\", k % 28 + 1) \"\\\"\",
			k % 7 ? \"\\\"u\" k % 2 \"\\\"\" : \"NULL\",
			(k % 4 == 0 || k % 5 == 0) }" |
		tr \" \"\\047\" >ins.sql &&
	sqlite3 types.db <ins.sql &&
	recipe types "sqlite://$PWD/types.db" query \
		"SELECT i, r, n, b, c, tx, d, u, i * 2 AS e, NULL AS z, target FROM t" &&
	train types types.json &&
	schema="$(json_get types.json .model_dir)/mmp-schema.json" &&
	jq -r ".features[] | \"\(.name)=\(.kind)\"" "$schema" >kinds &&
	cat >expect <<-\EOF &&
	i=numeric
	r=numeric
	n=numeric
	b=numeric
	c=categorical
	tx=categorical
	d=categorical
	u=categorical
	e=numeric
	z=numeric
	EOF
	test_cmp expect kinds &&
	test "$(json_get types.json .rows.total)" = 200
'

test_expect_success SQLITE3,JQ 'NULL is a missing value; categories come from the text' '
	schema="$(json_get types.json .model_dir)/mmp-schema.json" &&
	test "$(jq -c ".features[] | select(.name == \"c\") | .categories" "$schema")" = \
		"[\"c0\",\"c1\",\"c2\",\"c3\"]" &&
	test "$(jq -c ".features[] | select(.name == \"u\") | .categories" "$schema")" = \
		"[\"u0\",\"u1\"]"
'

test_expect_success SQLITE3,JQ 'a time split on a DATE column' '
	cat >proj/recipes/timed.yaml <<-EOF &&
	name: timed
	task: binary_classification
	experiment: sqlite
	data:
	  source: "sqlite://$PWD/types.db"
	  query: SELECT i, r, c, d, target FROM t
	  interface:
	    target_column: target
	    timestamp_column: d
	  split:
	    method: time
	    test_size: 0.2
	model:
	  params: {objective: "binary:logistic", max_depth: 2, seed: 42}
	  num_boost_round: 10
	EOF
	train timed timed.json &&
	test "$(json_get timed.json .status)" = FINISHED &&
	# 40 rows by the share; the cut falls inside 2024-01-23, whose
	# seven rows all go to the test set with the later days
	test "$(json_get timed.json .rows.test)" = 42 &&
	schema="$(json_get timed.json .model_dir)/mmp-schema.json" &&
	test "$(jq -r "[.features[].name] | join(\",\")" "$schema")" = i,r,c
'

test_expect_success SQLITE3 'a hostile table name is one quoted identifier' '
	sqlite3 bc.db "CREATE TABLE \"we\"\"ird; DROP TABLE bc; --\" AS SELECT * FROM bc;" &&
	recipe hostile "sqlite://$PWD/bc.db" table "we\"ird; DROP TABLE bc; --" &&
	train hostile hostile.json &&
	test "$(json_get hostile.json .rows.total)" = 569 &&
	test "$(sql bc.db "SELECT count(*) FROM bc")" = 569
'

test_expect_success SQLITE3 'bad sources fail naming what is wrong' '
	echo "not a database" >text.db &&
	sqlite3 blob.db "CREATE TABLE t (x BLOB, y REAL, target INT);
		INSERT INTO t VALUES (zeroblob(1), 1, 0);
		CREATE TABLE u (x, y REAL, target INT);
		INSERT INTO u VALUES (1, 1, 0), (zeroblob(1), 2, 1);
		CREATE TABLE e (x REAL, target INT);" &&
	recipe missing "sqlite://$PWD/nope.db" table bc &&
	recipe notdb "sqlite://$PWD/text.db" table bc &&
	recipe badsql "sqlite://$PWD/bc.db" query "SELEC * FROM bc" &&
	recipe notable "sqlite://$PWD/bc.db" table nosuch &&
	recipe empty "sqlite://$PWD/blob.db" table e &&
	recipe blobcol "sqlite://$PWD/blob.db" table t &&
	recipe blobval "sqlite://$PWD/blob.db" table u &&
	recipe writes "sqlite://$PWD/bc.db" query "DELETE FROM bc RETURNING *" &&
	recipe two "sqlite://$PWD/bc.db" query "SELECT * FROM bc; DELETE FROM bc" &&
	recipe param "sqlite://$PWD/bc.db?cache=shared" table bc &&
	recipe remote "sqlite://host/bc.db" table bc &&
	for n in missing notdb badsql notable empty blobcol blobval writes \
		two param remote
	do
		test_expect_code 1 mmp -C proj train -q \
			--recipe recipes/$n.yaml 2>err-$n || return 1
	done &&
	test_grep "cannot open .$PWD/nope.db.: No such file" err-missing &&
	test_grep ".$PWD/text.db. is not an SQLite database" err-notdb &&
	test_grep "$PWD/bc.db.: cannot prepare the query: near \"SELEC\": syntax error" err-badsql &&
	test_grep "no such table: nosuch" err-notable &&
	test_grep "sqlite://$PWD/blob.db: no data rows" err-empty &&
	test_grep "column .x. is a BLOB" err-blobcol &&
	test_grep "row 2: column .x. holds a BLOB" err-blobval &&
	test_grep "the query would change the database" err-writes &&
	test_grep "the query holds more than one statement" err-two &&
	test_grep "unknown parameter .cache=shared." err-param &&
	test_grep "an SQLite file is local" err-remote &&
	test "$(sql bc.db "SELECT count(*) FROM bc")" = 569
'

test_expect_success SQLITE3,JQ 'failed runs are FAILED, none RUNNING, the good runs kept' '
	test "$(runs_with RUNNING)" = 0 &&
	test "$(runs_with FINISHED)" = 7 &&
	test "$(runs_with FAILED)" -ge 1
'

test_expect_success SQLITE3,JQ 'doctor opens each SQLite file read-only and compiles its query' '
	mmp init -q doc &&
	rm -f doc/recipes/*.yaml &&
	cp proj/recipes/table.yaml proj/recipes/query.yaml doc/recipes/ &&
	(cd doc && MMP_STORE=$PWD/.mmp mmp doctor --check databases --json >../doc.json) &&
	test "$(json_get doc.json ".checks[0].status")" = ok &&
	test "$(json_get doc.json ".checks[0].summary")" = "2 database sources reachable, logged in, queries parse" &&
	json_get doc.json ".checks[0].details[]" >details &&
	test_grep "query.yaml: sqlite://$PWD/bc.db: opens read-only, the query compiles, SQLite 3\.[0-9]+" details &&
	test_grep "table.yaml: sqlite://$PWD/bc.db: opens read-only, the query compiles" details &&
	cp proj/recipes/missing.yaml proj/recipes/badsql.yaml \
		proj/recipes/writes.yaml doc/recipes/ &&
	(cd doc && MMP_STORE=$PWD/.mmp test_expect_code 1 mmp doctor --check databases --json >../doc2.json) &&
	test "$(json_get doc2.json ".checks[0].status")" = fail &&
	json_get doc2.json ".checks[0].details[]" >details &&
	test_grep "missing.yaml: sqlite://$PWD/nope.db: does not open" details &&
	test_grep "missing.yaml: sqlite://$PWD/nope.db: cannot open .$PWD/nope.db.: No such file" details &&
	test_grep "badsql.yaml: .*: cannot prepare the query: near \"SELEC\": syntax error" details &&
	test_grep "writes.yaml: .*: the query would change the database" details &&
	test_grep "table.yaml: .*: opens read-only, the query compiles" details &&
	test "$(sql bc.db "SELECT count(*) FROM bc")" = 569 &&
	! test -e nope.db
'

test_done
