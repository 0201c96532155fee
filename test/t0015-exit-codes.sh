#!/bin/sh
# t0015-exit-codes: the exit codes each command returns are the ones its
# man page documents under EXIT STATUS: a usage error, a missing
# argument, and a store that cannot be opened, for every command

. "$(dirname "$0")/test-lib.sh"

MAN="$SRC_DIR/man"
NOSTORE=$PWD/none/.mmp

# the exit codes named in the EXIT STATUS section of a man page
documented() {
	sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$1" | sed '1d;$d' |
	sed -e 's/\\f[BIRP]//g' | tr -c '0-9\n' ' ' | tr ' ' '\n' |
	grep -xE '0|1|2|3|128|129|130' | sort -un
}

# command | arguments that parse | exit code with no store | exit code
# with no arguments ("-": not run, it would do real work)
cat >table <<\EOF
alias|m a 1|128|129
approvals||128|128
approve|m 1|128|129
audit||128|128
batch-inference|--model m@Production --input in.csv --output out.csv|128|129
completion|bash|0|129
config|list|0|129
doctor|--check store|0|-
experiments|list|128|129
gc||128|128
help||0|0
init|newdir|129|-
models||128|128
monitor|m@Production|128|129
promote|m 1 Staging|128|129
register|r --name m|128|129
runs|list|128|129
serve-api|--model m@Production|128|129
sync||128|128
train|--recipe x.yaml|128|129
tune|--recipe x.yaml|128|129
ui|--port 0|128|128
version||0|0
EOF

test_expect_success 'every command has a row in the table and an EXIT STATUS' '
	mmp help --commands >cmds &&
	cut -d"|" -f1 table >rows &&
	test_cmp cmds rows &&
	while read c
	do
		documented "$MAN/mmp-$c.1" >codes.$c &&
		grep -qx 0 codes.$c ||
		{ echo "mmp-$c(1) documents no exit status" >&2; return 1; }
	done <cmds
'

test_expect_success 'an unknown option exits 129, and every page says so' '
	while read c
	do
		test_expect_code 129 mmp --store "$NOSTORE" $c \
			--no-such-option 2>err &&
		test_grep "^error: unknown option .no-such-option." err &&
		grep -qx 129 codes.$c ||
		{ echo "mmp-$c(1) does not document 129" >&2; return 1; }
	done <cmds
'

test_expect_success 'no store: each command exits as its page documents' '
	while IFS="|" read c args code none
	do
		mmp --store "$NOSTORE" $c $args </dev/null >out 2>err
		got=$? &&
		{ test $got = $code ||
		  { echo "mmp $c $args: exit $got, not $code" >&2;
		    cat err >&2; return 1; }; } &&
		{ test $code != 128 ||
		  test_grep "^fatal: no mmp store at " err; } &&
		grep -qx $code codes.$c ||
		{ echo "mmp-$c(1) does not document $code" >&2; return 1; }
	done <table
'

test_expect_success 'no arguments: a usage error where some are needed' '
	while IFS="|" read c args code none
	do
		test "$none" = - && continue
		mmp --store "$NOSTORE" $c </dev/null >out 2>err
		got=$? &&
		{ test $got = $none ||
		  { echo "mmp $c: exit $got, not $none" >&2;
		    cat err >&2; return 1; }; } &&
		{ test $none != 129 || test_grep "^error: " err; } &&
		grep -qx $none codes.$c ||
		{ echo "mmp-$c(1) does not document $none" >&2; return 1; }
	done <table
'

# every sub-command named in the usage of its command (config takes
# --env before its sub-command)
test_expect_success 'setup: the sub-commands' '
	{
	printf "config get\nconfig list\n" &&
	while read c
	do
		echo "$c" &&
		mmp $c -h | sed -n "1,/^\$/p" |
		sed -e "s/^usage: //" -e "s/^   or: //" |
		awk -v c="$c" "\$1 == \"mmp\" && \$2 == c &&
			\$3 ~ /^[a-z][a-z-]*\$/ { print c, \$3 }" || return 1
	done <cmds
	} | sort -u >subs &&
	test_grep "^runs rename$" subs &&
	test_grep "^config get$" subs
'

# a usage error always says what was wrong before the usage, and every
# command and sub-command given nothing, or far too much, exits with a
# code its page documents
test_expect_success 'no or too many arguments: a named usage error' '
	while read c s
	do
		for extra in "" "x x x x x x x x x"
		do
			test "$c$s$extra" = init && continue
			test "$c$s$extra" = doctor && continue
			mmp --store "$NOSTORE" $c $s $extra </dev/null \
				>out 2>err
			got=$? &&
			{ test $got != 129 || test_grep "^error: " err ||
			  { echo "mmp $c $s $extra: no error line" >&2;
			    return 1; }; } &&
			grep -qx $got codes.$c ||
			{ echo "mmp $c $s $extra: exit $got undocumented" >&2;
			  return 1; }
		done
	done <subs
'

test_done
