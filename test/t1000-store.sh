#!/bin/sh
# t1000-store: finding and opening the store, and the files it refuses

. "$(dirname "$0")/test-lib.sh"

W=store-writer

# the schema version this mmp creates: one per migration step
SCHEMA_VERSION=10

test_expect_success 'no store anywhere: fatal, exit 128, suggests mmp init' '
	mkdir -p empty/sub &&
	(cd empty/sub && test_expect_code 128 mmp runs list 2>../../err) &&
	test_grep "^fatal: not an mmp store \(or any of the parent directories\): \.mmp; run .mmp init." err
'

test_expect_success 'a new store is created with the schema, WAL and Default' '
	$W "$PWD/proj/.mmp/mmp.db" create &&
	test -f proj/.mmp/mmp.db &&
	$W proj/.mmp/mmp.db open >v &&
	echo $SCHEMA_VERSION >expect && test_cmp expect v
'

test_expect_success SQLITE3 'the schema: version, WAL, Default is experiment 0' '
	test "$(sql proj/.mmp/mmp.db "PRAGMA user_version")" = $SCHEMA_VERSION &&
	test "$(sql proj/.mmp/mmp.db "PRAGMA journal_mode")" = wal &&
	test "$(sql proj/.mmp/mmp.db "SELECT experiment_id, name FROM experiments")" = "0|Default"
'

test_expect_success 'the store is found walking up from a subdirectory' '
	mkdir -p proj/a/b &&
	(cd proj/a/b && mmp runs list --json >../../../out) &&
	echo "{\"schema_version\":1,\"runs\":[]}" >expect &&
	test_cmp expect out
'

test_expect_success 'an empty store prints nothing and exits 0' '
	(cd proj && mmp runs list >../out 2>../err) &&
	! test -s out && ! test -s err
'

test_expect_success '--store takes the db file, its directory or the project' '
	mmp --store proj/.mmp/mmp.db runs list --json >o1 &&
	mmp --store proj/.mmp runs list --json >o2 &&
	mmp --store proj runs list --json >o3 &&
	test_cmp o1 o2 && test_cmp o1 o3
'

test_expect_success '$MMP_STORE is used when --store is not given' '
	MMP_STORE="$PWD/proj/.mmp" mmp runs list --json >o4 &&
	test_cmp o1 o4
'

test_expect_success '--store wins over $MMP_STORE' '
	MMP_STORE=/nonexistent/x.db mmp --store proj runs list --json >o5 &&
	test_cmp o1 o5
'

test_expect_success 'a --store path without a store: fatal naming it' '
	test_expect_code 128 mmp --store nowhere runs list 2>err &&
	test_grep "^fatal: no mmp store at .*/nowhere/mmp.db. \(from --store\); run .mmp init." err &&
	MMP_STORE=nowhere test_expect_code 128 mmp runs list 2>err &&
	test_grep "from \\\$MMP_STORE" err
'

test_expect_success 'a file that is not SQLite: fatal, exit 128' '
	mkdir -p junk/.mmp &&
	printf "this is not a database, just some text\n%.0s" 1 2 3 4 5 6 7 8 9 10 \
		>junk/.mmp/mmp.db &&
	cp junk/.mmp/mmp.db before &&
	(cd junk && test_expect_code 128 mmp runs list 2>../err) &&
	test_grep "^fatal: .*/junk/.mmp/mmp.db. is not an mmp store: file is not a database$" err &&
	test_cmp before junk/.mmp/mmp.db
'

test_expect_success SQLITE3 'a database of another program is refused' '
	mkdir -p other/.mmp &&
	sql other/.mmp/mmp.db "CREATE TABLE t (x); INSERT INTO t VALUES (1)" &&
	(cd other && test_expect_code 128 mmp runs list 2>../err) &&
	test_grep "is not an mmp store: it is a database of another program" err &&
	test "$(sql other/.mmp/mmp.db "SELECT count(*) FROM sqlite_master")" = 1
'

test_expect_success SQLITE3 'a newer schema: fatal naming both versions, nothing written' '
	$W "$PWD/newer/.mmp/mmp.db" create &&
	sql newer/.mmp/mmp.db "PRAGMA user_version = 99" &&
	sha256sum newer/.mmp/mmp.db >sum.before &&
	(cd newer && test_expect_code 128 mmp runs list 2>../err) &&
	test_grep "^fatal: the store .*newer/.mmp/mmp.db. has schema version 99, newer than the version [0-9]+ this mmp [0-9.]+ knows; upgrade mmp$" err &&
	sha256sum newer/.mmp/mmp.db >sum.after &&
	test_cmp sum.before sum.after &&
	test_expect_code 1 $W newer/.mmp/mmp.db open 2>err &&
	test_grep "EVERSION" err
'

test_expect_success SQLITE3 'a damaged store is reported, not crashed on' '
	$W "$PWD/bad/.mmp/mmp.db" create &&
	$W bad/.mmp/mmp.db start : param @ a=1 : end @ FINISHED >/dev/null &&
	sql bad/.mmp/mmp.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null &&
	size=$(wc -c <bad/.mmp/mmp.db) &&
	# keep the header page, overwrite the rest with garbage
	dd if=/dev/urandom of=bad/.mmp/mmp.db bs=4096 seek=1 \
		count=$((size / 4096 - 1)) conv=notrunc 2>/dev/null &&
	(cd bad && test_expect_code 128 mmp runs list 2>../err) &&
	test_grep "^fatal: the store .*bad/.mmp/mmp.db. is damaged" err
'

test_expect_success 'a store that is a directory is refused' '
	mkdir -p dirdb/.mmp/mmp.db &&
	test_expect_code 1 $W dirdb/.mmp/mmp.db open 2>err &&
	test_grep "EINVALID: .*dirdb/.mmp/mmp.db. is a directory, not an mmp store" err
'

test_expect_success 'creating exclusively refuses an existing store' '
	test_expect_code 1 $W proj/.mmp/mmp.db create exclusive 2>err &&
	test_grep "EEXISTS: a store exists already at .*proj/.mmp/mmp.db" err &&
	$W "$PWD/fresh/.mmp/mmp.db" create exclusive
'

test_expect_success SQLITE3 'two processes creating one new store at once both succeed' '
	for i in 1 2 3 4 5 6
	do
		$W "$PWD/race/.mmp/mmp.db" create &
	done &&
	wait &&
	test "$(sql race/.mmp/mmp.db "PRAGMA user_version")" = $SCHEMA_VERSION &&
	test "$(sql race/.mmp/mmp.db "SELECT count(*) FROM experiments")" = 1
'

test_expect_success NOT_ROOT 'a read-only store directory is a clear error' '
	$W "$PWD/ro/.mmp/mmp.db" create &&
	chmod a-w ro/.mmp &&
	(cd ro && test_expect_code 128 mmp runs list 2>../err);
	ret=$? && chmod u+w ro/.mmp && test $ret = 0 &&
	test_grep "^fatal: the store directory .*ro/.mmp. is not writable" err
'

if unshare -m sh -c "mount --bind / /mnt && mount -o remount,bind,ro /mnt" \
	>/dev/null 2>&1
then
	test_set_prereq RO_MOUNT
fi

test_expect_success RO_MOUNT 'writing to a store on a read-only mount is a clear error' '
	$W "$PWD/rom/.mmp/mmp.db" create &&
	unshare -m sh -c "mount --bind rom rom &&
		mount -o remount,bind,ro rom &&
		cd rom && mmp runs mark-failed x" 2>err;
	test $? = 128 &&
	test_grep "^fatal: the store directory .*rom/.mmp. is not writable: Read-only file system" err
'

test_expect_success SQLITE3 'param rewrite with another value is a conflict' '
	test_expect_code 1 $W proj/.mmp/mmp.db start --name p : param @ depth=6 : \
		param @ depth=6 : param @ depth=7 2>err >id &&
	test_grep "ECONFLICT: param .depth. of run .[0-9a-f]{32}. is already .6.; params are write-once, cannot change it to .7." err &&
	test "$(sql proj/.mmp/mmp.db "SELECT value FROM params WHERE run_uuid = \"$(cat id)\"")" = 6
'

test_expect_success 'bad keys and values are refused naming them' '
	test_expect_code 1 $W proj/.mmp/mmp.db start : param @ "bad;key=1" 2>err &&
	test_grep "EINVALID: invalid param key .bad;key.: keys may only contain" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : metric @ "../x=1" 2>err &&
	test_grep "EINVALID: invalid metric key .\.\./x." err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : tag @ "=v" 2>err &&
	test_grep "EINVALID: invalid tag key: the key is empty" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : artifact @ /etc/passwd 1 x 2>err &&
	test_grep "EINVALID: artifact path ./etc/passwd. is absolute" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : artifact @ a/../../b 1 x 2>err &&
	test_grep "EINVALID: artifact path .a/\.\./\.\./b. has an empty or .\.\.. component" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : artifact @ m.json 1 xyz 2>err &&
	test_grep "EINVALID: artifact .m.json. has no valid sha256" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : dataset @ d abc 1 1 training "{oops" 2>err &&
	test_grep "EINVALID: the schema of dataset .d. is not a JSON object or array" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db start : end @ DONE 2>err &&
	test_grep "EINVALID: invalid final run status .DONE.: expected FINISHED, FAILED or KILLED" err
'

test_expect_success 'ending a run twice is a conflict; unknown runs are not found' '
	test_expect_code 1 $W proj/.mmp/mmp.db start : end @ FINISHED : end @ KILLED 2>err &&
	test_grep "ECONFLICT: run .[0-9a-f]{32}. has already ended \(FINISHED\)" err &&
	test_expect_code 1 $W proj/.mmp/mmp.db param 0123456789abcdef0123456789abcdef a=1 2>err &&
	test_grep "ENOTFOUND: no run .0123456789abcdef0123456789abcdef." err
'

test_expect_success 'artifact and tmp directories live in the store directory' '
	$W proj/.mmp/mmp.db start --experiment dirs : artifact-dir @ : tmpdir @ : end @ FINISHED >out &&
	id=$(sed -n 1p out) &&
	sed -n 2p out | grep -E "/proj/\.mmp/artifacts/[0-9]+/$id/artifacts$" &&
	test -d "$(sed -n 2p out)" &&
	sed -n 3p out | grep -E "/proj/\.mmp/tmp/$id-......$" &&
	test -d "$(sed -n 3p out)"
'

test_done
