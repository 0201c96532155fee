#!/bin/sh
# t1060-store-readonly: commands that only read work on a store that cannot
# be written; an empty database next to stored runs is refused

. "$(dirname "$0")/test-lib.sh"

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"

# A directory that cannot be written even by root: a read-only bind
# mount in a private mount namespace; as another user, chmod does.
if test_have_prereq NOT_ROOT
then
	test_set_prereq RO_DIR
elif unshare -m sh -c 'mount --bind . . && mount -o remount,bind,ro . .' \
	2>/dev/null
then
	test_set_prereq RO_DIR
fi

# ro DIR CMD...: run CMD with DIR read-only
ro() {
	dir=$1
	shift
	if test_have_prereq NOT_ROOT
	then
		chmod -R a-w "$dir" &&
		"$@"
		rc=$?
		chmod -R u+w "$dir"
		return $rc
	fi
	unshare -m sh -c 'mount --bind "$0" "$0" &&
		mount -o remount,bind,ro "$0" "$0" && shift && exec "$@"' \
		"$dir" x "$@"
}

test_expect_success 'seed a store with two runs' '
	$W "$DB" create &&
	$W "$DB" start --name one --experiment e : metric @ auc=0.9 : \
		end @ FINISHED : start --name two --experiment e : \
		end @ FAILED >ids &&
	test_line_count = 2 ids
'

test_expect_success RO_DIR,JQ 'runs list and show work on a read-only store' '
	ro .mmp touch .mmp/probe 2>err;
	! test -e .mmp/probe &&
	ro .mmp mmp runs list --json >list.json &&
	test "$(jq -r "[.runs[].run_name] | sort | join(\",\")" list.json)" = one,two &&
	id=$(jq -r ".runs[] | select(.run_name == \"one\") | .run_id" list.json) &&
	ro .mmp mmp runs show "$id" --json >show.json &&
	test "$(jq -r .run.run_name show.json)" = one &&
	ro .mmp mmp models list --json >models.json &&
	test "$(jq ".models | length" models.json)" = 0 &&
	ro .mmp mmp experiments list --json >exps.json &&
	test "$(jq -r "[.experiments[].name] | sort | join(\",\")" exps.json)" = Default,e &&
	ro .mmp mmp audit verify >verify.out
'

test_expect_success RO_DIR 'a command that writes still says the store is not writable' '
	test_expect_code 128 ro .mmp mmp runs mark-failed one 2>err &&
	test_grep "not writable" err
'

test_expect_success 'an empty mmp.db next to stored runs is refused' '
	mkdir -p lost/.mmp/artifacts/1 &&
	: >lost/.mmp/mmp.db &&
	test_expect_code 128 mmp --store lost/.mmp/mmp.db runs list 2>err &&
	test_grep "the store .*lost/.mmp/mmp.db. is an empty file, but .*lost/.mmp/artifacts. holds what runs stored: the database was lost; restore it from a backup, or move .*lost/.mmp. away and run .mmp init. to start over" err &&
	test_expect_code 128 mmp --store lost/.mmp/mmp.db runs mark-failed x 2>err &&
	test_grep "the database was lost" err &&
	! test -s lost/.mmp/mmp.db
'

test_expect_success JQ 'an empty mmp.db alone is a new store' '
	mkdir -p fresh/.mmp &&
	: >fresh/.mmp/mmp.db &&
	mmp --store fresh/.mmp/mmp.db runs list --json >fresh.json &&
	test "$(jq ".runs | length" fresh.json)" = 0
'

test_done
