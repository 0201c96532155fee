#!/bin/sh
# t3450-text-safety: identities and names with control characters or
# invalid UTF-8 are refused; free text is escaped on a terminal and the
# audit log stays verifiable; --json is always valid UTF-8

. "$(dirname "$0")/test-lib.sh"

mkrun() { "$HELPERS/registry-run" "$DB" "$@"; }
DB=$PWD/proj/.mmp/mmp.db
MMP_STORE=$PWD/proj/.mmp; export MMP_STORE
MMP_USER=ci; export MMP_USER
NL='
'
ESC=$(printf '\033')
BS='\'

test_expect_success 'setup: one registered version' '
	mmp init -q proj &&
	run=$(mkrun FINISHED accuracy=0.9) &&
	echo "$run" >run.id &&
	mmp register "$run" --name m >/dev/null
'

test_expect_success SQLITE3,JQ 'a --by or MMP_USER with a newline or an escape is refused' '
	sql "$DB" "SELECT count(*) FROM registry_audit" >before &&
	test_expect_code 1 mmp promote m 1 Staging \
		--by "eve${NL}2 ci promote 1 stage None Production" 2>err &&
	test_grep "^error: .*the user name \(--by or MMP_USER\) holds a control character \(byte 4\)" err &&
	MMP_USER="eve${ESC}[2J" test_expect_code 1 mmp promote m 1 Staging 2>err &&
	test_grep "holds a control character \(byte 4\)" err &&
	test_expect_code 1 mmp approve m 1 --by "a${NL}b" --notes ok 2>err &&
	test_grep "holds a control character" err &&
	test_expect_code 1 mmp register "$(cat run.id)" --name m \
		--by "$(printf "x\302\233y")" 2>err &&
	test_grep "holds a control character \(byte 2\)" err &&
	test_expect_code 1 mmp register "$(cat run.id)" --name m \
		--by "$(printf "bad\377")" 2>err &&
	test_grep "holds invalid UTF-8 \(byte 4\)" err &&
	sql "$DB" "SELECT count(*) FROM registry_audit" >after &&
	test_cmp before after &&
	mmp audit verify --json >v.json &&
	test "$(json_get v.json ".ok, .rows" | tr "\n" " ")" = "true 1 "
'

test_expect_success 'a version tag key with a control character is refused' '
	test_expect_code 1 mmp register "$(cat run.id)" --name m \
		--tag "k${NL}ey=v" 2>err &&
	test_grep "the version tag key holds a control character \(byte 2\)" err
'

test_expect_success 'a run name with a control character or invalid UTF-8 is refused' '
	test_expect_code 1 store-writer "$DB" start --name "$(printf "bad\377")" \
		--experiment e >out 2>err;
	test_grep "the run name holds invalid UTF-8 \(byte 4\)" err &&
	test_expect_code 1 store-writer "$DB" start --name "a${ESC}]0;x" \
		--experiment e >out 2>err;
	test_grep "the run name holds a control character \(byte 2\)" err
'

test_expect_success JQ 'descriptions, notes and tags are escaped in human output' '
	mmp register "$(cat run.id)" --name m \
		--description "line one${NL}2 ci promote 1 stage None Production" \
		--tag "note=red${ESC}[31mtext" >/dev/null &&
	mmp promote m 2 Staging --notes "why${NL}fake row" >/dev/null &&
	mmp models show m 2 >show.out &&
	test_grep "^description: line one\\\\n2 ci promote 1 stage None Production$" show.out &&
	test_grep "^tag: +note=red\\\\x1b\[31mtext$" show.out &&
	! grep "$ESC" show.out &&
	mmp audit m >audit.out &&
	test_grep "why\\\\nfake row" audit.out &&
	! grep "^fake row" audit.out &&
	mmp audit verify --json >v.json &&
	test "$(json_get v.json ".ok, .rows" | tr "\n" " ")" = "true 3 " &&
	mmp models show m 2 --json >show.json &&
	test "$(jq -r .model_version.description show.json)" = "line one${NL}2 ci promote 1 stage None Production"
'

test_expect_success SQLITE3,JQ '--json stays valid UTF-8 when a stored name is not' '
	id=$(store-writer "$DB" start --name okname --experiment e : end @ FINISHED) &&
	sql "$DB" "UPDATE runs SET name = CAST(X'\''6261647FFF'\'' AS TEXT) WHERE name = '\''okname'\''" &&
	mmp runs list --json >list.json &&
	/usr/bin/python3 -c "import sys; open(sys.argv[1], \"rb\").read().decode(\"utf-8\")" list.json &&
	jq -r ".runs[] | select(.run_name | startswith(\"bad\")) | .run_name" \
		list.json >names &&
	printf "bad\177\357\277\275\n" >expect &&
	test_cmp expect names
'

test_expect_success 'runs rename refuses invalid UTF-8 and control characters' '
	id=$(store-writer "$DB" start --name torename --experiment e : end @ FINISHED) &&
	test_expect_code 1 mmp runs rename "$id" "$(printf "x\377")" 2>err &&
	test_grep "the run name holds invalid UTF-8 \(byte 2\)" err &&
	test_expect_code 1 mmp runs rename "$id" "a${NL}b" 2>err &&
	test_grep "the run name holds a control character \(byte 2\)" err
'

test_expect_success 'models tag and describe refuse bad keys and identities' '
	test_expect_code 1 mmp models tag m "$(printf "k\377")=v" 2>err &&
	test_grep "the tag key holds invalid UTF-8 \(byte 2\)" err &&
	MMP_USER="a${NL}b" test_expect_code 1 mmp models describe m "x" 2>err &&
	test_grep "the user name \(--by or MMP_USER\) holds a control character \(byte 2\)" err
'

test_expect_success JQ 'approval notes are escaped in approvals show and list' '
	test_expect_code 3 mmp approve m 1 --reject --by ann \
		--notes "bad${NL}APPROVED by boss" >/dev/null &&
	mmp approvals show m 1 >show.out &&
	test_grep "^  notes +bad\\\\nAPPROVED by boss$" show.out &&
	! grep "^APPROVED by boss" show.out &&
	mmp approvals list m >list.out &&
	! grep "^APPROVED by boss" list.out &&
	mmp approvals show m 1 --json >show.json &&
	test "$(jq -r "[.. | .notes? // empty][0]" show.json)" = "bad${NL}APPROVED by boss"
'

test_expect_success 'a bad --run-name or --experiment fails before any work' '
	test_expect_code 1 mmp train --recipe no-such.yaml \
		--run-name "$(printf "bad\377")" 2>err &&
	test_grep "^error: option .--run-name.: the run name holds invalid UTF-8 \(byte 4\)$" err &&
	test_expect_code 1 mmp train --recipe no-such.yaml \
		--experiment "e${NL}x" 2>err &&
	test_grep "^error: option .--experiment.: the experiment name holds a control character \(byte 2\)$" err &&
	test_expect_code 1 mmp tune --recipe no-such.yaml \
		--experiment "e${ESC}[2J" 2>err &&
	test_grep "holds a control character \(byte 2\)" err &&
	test_expect_code 1 mmp batch-inference --model m@Production \
		--input no.csv --output out.csv --run-name "r${NL}" 2>err &&
	test_grep "the run name holds a control character \(byte 2\)" err &&
	! test -e out.csv
'

test_expect_success 'names echoed in errors are escaped, one line per message' '
	test_expect_code 1 mmp models show "bad${NL}fatal: forged" 2>err &&
	test_line_count = 1 err &&
	test_grep "^error: cannot show model .bad${BS}${BS}nfatal: forged." err &&
	test_expect_code 1 mmp runs show "zz${ESC}]0;t" 2>err &&
	test_line_count = 1 err &&
	! grep -q "$ESC" err &&
	test_grep "no run .zz${BS}${BS}x1b\]0;t." err &&
	test_must_fail mmp "x${ESC}[31m${NL}fatal: fake" 2>err &&
	! grep -q "$ESC" err &&
	! grep -q "^fatal: fake" err &&
	test_grep "^mmp: .x${BS}${BS}x1b\[31m${BS}${BS}nfatal: fake. is not an mmp command" err
'

test_done
