#!/bin/sh
# t1050-init: mmp init creates a store and the examples, never clobbers

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'init in a new directory' '
	mmp init proj >out &&
	test_grep "^Initialized empty mmp store in .*/proj/.mmp/mmp.db$" out &&
	for f in configs/base.yaml configs/dev.yaml configs/prod.yaml \
		configs/monitor.yaml recipes/breast-cancer.yaml recipes/data/breast_cancer.csv
	do
		test -s proj/$f || return 1
	done &&
	cmp proj/recipes/breast-cancer.yaml "$SRC_DIR/recipes/breast-cancer.yaml" &&
	cmp proj/configs/base.yaml "$SRC_DIR/configs/base.yaml"
'

test_expect_success 'the new project works: config and runs' '
	(cd proj && mmp config get serve.port >../port && mmp runs list >../runs) &&
	echo 8000 >expect && test_cmp expect port &&
	test_must_be_empty runs
'

test_expect_success SQLITE3 'init refuses an existing store and changes nothing' '
	sha256sum proj/.mmp/mmp.db >before &&
	test_expect_code 1 mmp init proj 2>err &&
	test_grep "^error: an mmp store already exists in .*proj/.mmp/mmp.db.$" err &&
	sha256sum proj/.mmp/mmp.db >after &&
	test_cmp before after
'

test_expect_success JQ 'init keeps files that exist; --json counts them' '
	mkdir -p other/configs &&
	echo "serve: {port: 9999}" >other/configs/base.yaml &&
	(cd other && mmp init --json >../init.json) &&
	test "$(json_get init.json .files_written)" = 6 &&
	test "$(json_get init.json .files_kept)" = 1 &&
	json_get init.json .store | grep "/other/.mmp/mmp.db$" &&
	echo "serve: {port: 9999}" >expect && test_cmp expect other/configs/base.yaml
'

test_expect_success 'init -q prints nothing; too many arguments is 129' '
	mmp init -q quiet >out && test_must_be_empty out &&
	test_expect_code 129 mmp init a b 2>err &&
	test_grep "too many arguments" err
'

test_expect_success '--store is refused: the store is always <dir>/.mmp' '
	test_expect_code 129 mmp --store elsewhere/.mmp init withstore 2>err &&
	test_grep "^error: .mmp init. creates <dir>/.mmp; give the directory, not --store" err &&
	! test -e withstore &&
	! test -e elsewhere
'

test_expect_success 'init where a file blocks the directory' '
	echo x >blocker &&
	test_expect_code 1 mmp init blocker 2>err &&
	test_grep "^error: .*blocker" err
'

test_done
