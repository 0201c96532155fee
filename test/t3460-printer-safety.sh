#!/bin/sh
# t3460-printer-safety: every human printer escapes what it shows of user
# data. Names, keys and values that mmp refuses to write can still reach
# the store from a CSV header, a target column, a recipe or an MLflow
# server mirrored by 'mmp sync --pull'; here they are planted with SQL,
# then each command that prints them is run and its output must hold no
# raw control character (C0 but newline and tab, DEL, C1) and be valid
# UTF-8, while still showing the planted value, escaped.

. "$(dirname "$0")/test-lib.sh"

DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER
unset COLUMNS

# ESC [31m, BEL, CR, U+009B (a C1 control) and a byte that is not UTF-8
P="'P'||char(27)||'[31mX'||char(7)||char(13)||'Y'||char(155)||CAST(X'FF' AS TEXT)"
# the same as term_escape() shows it
SHOWN='P\x1b[31mX\x07\rY\u009b\xff'

# safe FILE...: each file is UTF-8 with no control character but \n, \t
safe() {
	/usr/bin/python3 -c '
import sys
for f in sys.argv[1:]:
    t = open(f, "rb").read().decode("utf-8")
    bad = [c for c in t if (ord(c) < 32 and c not in "\n\t")
           or 0x7f <= ord(c) < 0xa0]
    if bad:
        sys.exit("%s: raw control character %r" % (f, bad[0]))
' "$@"
}

# shows CODE CMD...: CMD exits CODE, its output is safe and shows $SHOWN
shows() {
	want=$1 && shift &&
	{ "$@" >out 2>err; got=$?; } &&
	{ test $got = $want ||
	  { echo "exit $got, not $want: $*" >&2; cat err >&2; return 1; }; } &&
	safe out err &&
	{ grep -qF "$SHOWN" out err ||
	  { echo "the planted value is not shown: $*" >&2; return 1; }; }
}

test_expect_success SQLITE3 'setup: runs, a study, two model versions' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --run-name a \
		--set model.num_boost_round=4 --json >../a.json &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --run-name b \
		--set model.num_boost_round=5 --json >../b.json &&
	 mmp tune -q --recipe recipes/breast-cancer.yaml --trials 2 \
		--study st --set model.num_boost_round=3 >/dev/null) &&
	A=$(sql "$DB" "SELECT run_uuid FROM runs WHERE name = '\''a'\''") &&
	B=$(sql "$DB" "SELECT run_uuid FROM runs WHERE name = '\''b'\''") &&
	echo $A >a.id && echo $B >b.id &&
	mmp register -q $A --name m &&
	mmp register -q $B --name m &&
	mmp approve m 1 >/dev/null &&
	mmp alias m champ 1 >/dev/null &&
	mmp runs delete $B >/dev/null
'

test_expect_success SQLITE3 'setup: every text column gets the planted value' '
	sql "$DB" "
		UPDATE runs SET name = name || $P, user_id = user_id || $P,
			source_name = source_name || $P,
			hostname = hostname || $P,
			artifact_uri = artifact_uri || $P;
		UPDATE params SET value = value || $P;
		INSERT INTO params SELECT run_uuid, $P, $P FROM runs;
		INSERT INTO tags SELECT run_uuid, $P, $P FROM runs;
		INSERT INTO metrics SELECT run_uuid, $P, 1.5, 0, 0, 0 FROM runs;
		INSERT INTO latest_metrics
			SELECT run_uuid, $P, 1.5, 0, 0, 0 FROM runs;
		UPDATE experiments SET name = name || $P;
		UPDATE dataset_inputs SET name = name || $P,
			source = source || $P;
		UPDATE studies SET name = name || $P;
		UPDATE trial_params SET name = name || $P,
			value = value || $P;
		UPDATE model_versions SET description = $P;
		UPDATE registered_models SET description = $P;
		INSERT INTO sync_remotes (uri, created_time, last_attempt_time,
			last_error, last_error_class, last_error_time)
			VALUES ('\''http://127.0.0.1:1'\'', 0, 0, $P, '\''http'\'', 0);
	" &&
	sql "$DB" "SELECT name FROM studies" >study
'

test_expect_success SQLITE3 'runs list, show and compare escape' '
	shows 0 mmp runs list &&
	shows 0 mmp runs list --all --kind all &&
	shows 0 mmp runs show $(cat a.id) &&
	shows 0 mmp runs compare $(cat a.id) $(cat b.id) &&
	shows 0 mmp runs compare --all $(cat a.id) $(cat b.id) &&
	shows 0 mmp runs compare --md $(cat a.id) $(cat b.id)
'

test_expect_success SQLITE3 'experiments, models and gc escape' '
	shows 0 mmp experiments list --all &&
	shows 0 mmp models show m 1 &&
	shows 0 mmp models show m &&
	shows 0 mmp models lineage m@champ &&
	shows 0 mmp gc --dry-run
'

test_expect_success SQLITE3 'sync status escapes the error a server sent' '
	shows 0 mmp sync status --tracking-uri http://127.0.0.1:1 &&
	test_grep "^last error \(http, " out
'

test_expect_success SQLITE3 'tune list and tune show escape' '
	shows 0 mmp tune list &&
	shows 0 mmp tune show "$(cat study)"
'

test_expect_success SQLITE3 'approve escapes the notes it repeats' '
	ESC=$(printf "\033") &&
	SHOWN="x\\x1b[31mred\\r" &&
	CR=$(printf "\r") &&
	shows 3 mmp approve m 2 --reject --by ann --notes "x${ESC}[31mred$CR" &&
	shows 3 mmp approve m 2 --reject --by ann --notes "again" &&
	grep -F "earlier: REJECTED by ann" out
'

test_expect_success 'class labels in the confusion matrix are escaped' '
	sed "1!s/^Adelie,/Ad$(printf "\302\233")e,/" \
		"$SRC_DIR/recipes/data/penguins.csv" >proj/p.csv &&
	sed "s#data/penguins.csv#p.csv#" "$SRC_DIR/recipes/penguins.yaml" \
		>proj/p.yaml &&
	SHOWN="Ad\\u009be" &&
	(cd proj && shows 0 mmp train --recipe p.yaml \
		--set model.num_boost_round=3) &&
	test_grep "^confusion matrix" proj/out
'

test_done
