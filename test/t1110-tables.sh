#!/bin/sh
# t1110-tables: tables fit the terminal ($COLUMNS or the tty's width),
# --columns chooses the columns, --json is never shortened

. "$(dirname "$0")/test-lib.sh"

MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER
LONG=a-very-long-run-name-that-goes-on-and-on-and-on-forever

# the widest line of a file in display columns (the ellipsis is one)
widest() {
	sed "s/\xe2\x80\xa6/~/g" "$1" | awk "{ if (length(\$0) > m) m = length(\$0) } END { print m + 0 }"
}

test_expect_success JQ 'setup: a run with a long name, registered' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--run-name $LONG --json >../t1.json) &&
	run=$(json_get t1.json .run_id) &&
	mmp register -q "$run" --name cancer-model-with-a-long-name \
		--description "x" &&
	mmp approve cancer-model-with-a-long-name 1 >/dev/null
'

test_expect_success 'into a pipe without COLUMNS values are whole' '
	mmp runs list >out &&
	test_grep "^[0-9a-f]{8}  $LONG  breast-cancer  train  FINISHED  " out &&
	! grep "$(printf "\342\200\246")" out
'

test_expect_success 'COLUMNS=130: every line fits, the name is cut with an ellipsis' '
	COLUMNS=130 mmp runs list >out &&
	test "$(widest out)" -le 130 &&
	test_grep "^[0-9a-f]{8}  a-very-.*$(printf "\342\200\246")  " out &&
	test_grep "  FINISHED  20[0-9-]+T[0-9:]+Z  " out
'

test_expect_success '--columns chooses the columns and their order, metrics too' '
	COLUMNS=60 mmp runs list --columns name,status,roc_auc >out &&
	auc=$(mmp runs list --columns roc_auc | sed -n 2p) &&
	w=$((60 - 2 - 8 - 2 - ${#auc})) &&
	printf "%-${w}s  STATUS    roc_auc\n" NAME >expect &&
	printf "%s\342\200\246  FINISHED  %s\n" "$(echo $LONG | cut -c1-$((w - 1)))" "$auc" >>expect &&
	test_cmp expect out
'

test_expect_success '--columns is case-insensitive for the fixed columns' '
	mmp runs list --columns STATUS,Name >out &&
	printf "STATUS    NAME\nFINISHED  %s\n" $LONG >expect &&
	test_cmp expect out
'

test_expect_success 'an unknown column is a usage error naming the known ones' '
	test_expect_code 129 mmp runs list --columns name,bogus >out 2>err &&
	test_must_be_empty out &&
	test_grep "^error: option .--columns.: no column .bogus. \(the columns are RUN, NAME, EXPERIMENT, KIND, STATUS, START, DURATION\)" err &&
	test_expect_code 129 mmp runs list --columns , 2>err &&
	test_grep "names no column" err
'

test_expect_success JQ '--json is never shortened' '
	mmp runs list --json >wide.json &&
	COLUMNS=20 mmp runs list --json >narrow.json &&
	test_cmp wide.json narrow.json &&
	test "$(json_get narrow.json ".runs[0].run_name")" = $LONG
'

test_expect_success 'models list, approvals and audit fit and take --columns' '
	COLUMNS=70 mmp models list >out &&
	test "$(widest out)" -le 70 &&
	test_grep "^cancer-m$(printf "\342\200\246")  1  " out &&
	mmp models --columns latest,model >out &&
	printf "LATEST  MODEL\nv1      cancer-model-with-a-long-name\n" >expect &&
	test_cmp expect out &&
	mmp approvals --columns version,decision >out &&
	printf "VERSION  DECISION\nv1       APPROVED\n" >expect &&
	test_cmp expect out &&
	COLUMNS=80 mmp audit >out &&
	test "$(widest out)" -le 80 &&
	mmp audit --columns seq,action >out &&
	head -n 1 out >h &&
	echo "SEQ  ACTION" >expect &&
	test_cmp expect h &&
	test_expect_code 129 mmp models list --columns nope 2>err &&
	test_grep "no column .nope. \(the columns are MODEL, VERSIONS, LATEST, PRODUCTION, STAGING, UPDATED\)" err &&
	test_expect_code 129 mmp approvals --columns nope 2>err &&
	test_expect_code 129 mmp audit --columns nope 2>err
'

if command -v script >/dev/null 2>&1 && command -v stty >/dev/null 2>&1
then
	test_set_prereq PTY
fi

test_expect_success PTY 'on a terminal the width is the terminal'"'"'s' '
	script -qc "stty cols 50; mmp runs list --columns name,status" /dev/null |
		tr -d "\r" >out &&
	printf "NAME%36s  STATUS\n" "" >expect &&
	printf "%s\342\200\246  FINISHED\n" "$(echo $LONG | cut -c1-39)" >>expect &&
	test_cmp expect out
'

test_done
