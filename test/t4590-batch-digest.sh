#!/bin/sh
# t4590-batch-digest: the rows digest batch-inference records is the one
# training records: the same rows from a CSV file, SQLite and PostgreSQL
# give one digest, equal to the training run's for the rows it trained on;
# a database's dataset digest is that rows digest, a CSV file's its sha256

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/pg-lib.sh"

# the exported rows and the digest's spill are temporary files here
mkdir -p tmp && TMPDIR=$PWD/tmp && export TMPDIR

cat >lite.sql <<'EOF'
CREATE TABLE p (species TEXT, island TEXT, bill_length_mm REAL,
	bill_depth_mm REAL, flipper_length_mm INTEGER, body_mass_g INTEGER,
	sex TEXT, year INTEGER);
EOF

cat >pg.sql <<'EOF'
SET ROLE alice;
CREATE TABLE p (n serial, species text, island text, bill_length_mm float8,
	bill_depth_mm float8, flipper_length_mm int4, body_mass_g int4,
	sex text, year int4);
EOF

DATA=proj/recipes/data/penguins.csv

# tag RUN KEY: a tag of a run in the project's store
tag() {
	sql proj/.mmp/mmp.db "SELECT value FROM tags WHERE run_uuid = '$1'
		AND key = '$2'"
}

# dataset RUN: the digest of a run's dataset input
dataset() {
	sql proj/.mmp/mmp.db "SELECT digest FROM dataset_inputs
		WHERE run_uuid = '$1'"
}

# batch NAME INPUT ARGS...: score INPUT with the trained model, --json
# into NAME.json
batch() {
	name=$1 input=$2
	shift 2
	mmp -C proj batch-inference --run "$(cat run)" --input "$input" \
		--output "$PWD/$name.csv" --json "$@" >$name.json
}

test_expect_success JQ,SQLITE3 'setup: a model trained on the penguins CSV' '
	mmp init -q proj &&
	cp "$SRC_DIR/recipes/penguins.yaml" proj/recipes/ &&
	cp "$SRC_DIR/recipes/data/penguins.csv" proj/recipes/data/ &&
	(cd proj && mmp train --recipe recipes/penguins.yaml --json) >t.json &&
	json_get t.json .run_id >run &&
	tag "$(cat run)" mmp.data.rows_digest >trained &&
	test "$(wc -c <trained)" = 65 &&
	grep -c ",NA," $DATA >nas && test "$(cat nas)" -gt 0 &&
	sqlite3 p.db ".read lite.sql" ".import --csv --skip 1 $DATA p" \
		"UPDATE p SET bill_length_mm = NULL WHERE bill_length_mm = '"'"'NA'"'"';
		 UPDATE p SET bill_depth_mm = NULL WHERE bill_depth_mm = '"'"'NA'"'"';
		 UPDATE p SET flipper_length_mm = NULL
			WHERE flipper_length_mm = '"'"'NA'"'"';
		 UPDATE p SET body_mass_g = NULL WHERE body_mass_g = '"'"'NA'"'"';
		 UPDATE p SET sex = NULL WHERE sex = '"'"'NA'"'"';" &&
	test "$(sql p.db "SELECT count(*) FROM p WHERE sex IS NULL")" -gt 0 &&
	test "$(sql p.db "SELECT count(*) FROM p")" = "$(sed 1d $DATA | wc -l)"
'

test_expect_success JQ,SQLITE3 'the training rows from the CSV: the training rows digest' '
	batch csv "$PWD/$DATA" --evaluate &&
	test "$(json_get csv.json .rows_digest)" = "$(cat trained)" &&
	test "$(json_get csv.json .digest)" = "$(sha256sum <$DATA | cut -c1-64)" &&
	id=$(json_get csv.json .run_id) &&
	test "$(tag $id mmp.data.rows_digest)" = "$(cat trained)" &&
	test "$(dataset $id)" = "$(json_get csv.json .digest)"
'

test_expect_success JQ,SQLITE3 'the same rows from SQLite: the same digest, as the dataset digest too' '
	batch lite "sqlite://$PWD/p.db" --query "SELECT * FROM p ORDER BY rowid" \
		--evaluate &&
	test_cmp csv.csv lite.csv &&
	test "$(json_get lite.json .rows_digest)" = "$(cat trained)" &&
	test "$(json_get lite.json .digest)" = "$(cat trained)" &&
	id=$(json_get lite.json .run_id) &&
	test "$(tag $id mmp.data.rows_digest)" = "$(cat trained)" &&
	test "$(dataset $id)" = "$(cat trained)" &&
	test "$(ls tmp | wc -l)" = 0
'

test_expect_success POSTGRES,JQ,SQLITE3 'the same rows from PostgreSQL: the same digest' '
	pg_start &&
	pg_sql_file pg.sql &&
	pg_sql "COPY p (species, island, bill_length_mm, bill_depth_mm,
		flipper_length_mm, body_mass_g, sex, year)
		FROM STDIN WITH (FORMAT csv, HEADER, NULL '"'"'NA'"'"')" <$DATA &&
	PGPASSWORD=$PG_PASSWORD batch pg "$(pg_uri)" \
		--query "SELECT * FROM p ORDER BY n" --evaluate &&
	test_cmp csv.csv pg.csv &&
	test "$(json_get pg.json .rows_digest)" = "$(cat trained)" &&
	test "$(json_get pg.json .digest)" = "$(cat trained)" &&
	id=$(json_get pg.json .run_id) &&
	test "$(tag $id mmp.data.rows_digest)" = "$(cat trained)" &&
	test "$(dataset $id)" = "$(cat trained)"
'

test_expect_success JQ,SQLITE3 'without the target: one digest for both sources, not the training one' '
	batch csv2 "$PWD/$DATA" &&
	batch lite2 "sqlite://$PWD/p.db" --query "SELECT * FROM p ORDER BY rowid" &&
	d=$(json_get csv2.json .rows_digest) &&
	test ${#d} = 64 &&
	test "$d" != "$(cat trained)" &&
	test "$(json_get lite2.json .rows_digest)" = "$d" &&
	test "$(json_get lite2.json .digest)" = "$d" &&
	test "$(json_get csv2.json .digest)" = "$(sha256sum <$DATA | cut -c1-64)"
'

test_expect_success JQ,SQLITE3 'kept columns do not count; a changed value or order does' '
	batch keep "sqlite://$PWD/p.db" --query "SELECT * FROM p ORDER BY rowid" \
		--keep year,species &&
	test "$(json_get keep.json .rows_digest)" = "$(json_get lite2.json .rows_digest)" &&
	batch changed "sqlite://$PWD/p.db" --query "SELECT species, island,
		bill_length_mm + (rowid = 9) AS bill_length_mm, bill_depth_mm,
		flipper_length_mm, body_mass_g, sex, year FROM p ORDER BY rowid" &&
	test "$(json_get changed.json .rows_digest)" != "$(json_get lite2.json .rows_digest)" &&
	batch desc "sqlite://$PWD/p.db" --query "SELECT * FROM p ORDER BY rowid DESC" &&
	test "$(json_get desc.json .rows_digest)" != "$(json_get lite2.json .rows_digest)"
'

test_expect_success JQ,SQLITE3 'a recorded job without --json still records the training digest' '
	mmp -C proj batch-inference --run "$(cat run)" --input "$PWD/$DATA" \
		--output "$PWD/quiet.csv" --evaluate -q &&
	test_cmp csv.csv quiet.csv &&
	id=$(sql proj/.mmp/mmp.db "SELECT run_uuid FROM runs
		ORDER BY start_time DESC, rowid DESC LIMIT 1") &&
	test "$id" != "$(json_get csv.json .run_id)" &&
	test "$(tag $id mmp.data.rows_digest)" = "$(cat trained)" &&
	test "$(dataset $id)" = "$(sha256sum <$DATA | cut -c1-64)"
'

test_expect_success JQ 'not recorded and no --json: no rows digest made, the same predictions' '
	model=$(dirname "$(find proj/.mmp -name MLmodel -path "*$(cat run)*" |
		head -n 1)") &&
	test -f "$model/MLmodel" &&
	mkdir -p free && cp -R "$model" free/model &&
	(cd free && mmp batch-inference --model-dir model \
		--input "../$DATA" --output with.csv --json >with.json) &&
	test "$(json_get free/with.json .run_id)" = "" &&
	test "$(json_get free/with.json .rows_digest)" = \
		"$(json_get csv2.json .rows_digest)" &&
	(cd free && mmp batch-inference --model-dir model \
		--input "../$DATA" --output without.csv) &&
	test_cmp free/with.csv free/without.csv &&
	test_cmp csv2.csv free/without.csv &&
	# no temporary file to spill the rows to: only the digest needs one
	(cd free && TMPDIR=$PWD/none mmp batch-inference --model-dir model \
		--input "../$DATA" --output none.csv -q) &&
	test_cmp free/with.csv free/none.csv &&
	(cd free && test_must_fail env TMPDIR=$PWD/none mmp batch-inference \
		--model-dir model --input "../$DATA" --output none2.csv \
		--json >none2.json 2>err) &&
	grep "^error: cannot create a temporary file in .*/none. for the rows digest" \
		free/err &&
	test ! -e free/none2.csv
'

test_expect_success JQ 'no rows, no rows digest' '
	head -n 1 $DATA >header.csv &&
	batch empty "$PWD/header.csv" &&
	test "$(json_get empty.json .rows.in)" = 0 &&
	test "$(json_get empty.json .rows_digest)" = null
'

test_done
