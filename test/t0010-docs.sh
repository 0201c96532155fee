#!/bin/sh
# t0010-docs: every command has a man page whose SYNOPSIS matches its -h

. "$(dirname "$0")/test-lib.sh"

MAN="$SRC_DIR/man"

# the synopsis lines of a man page, roff markup removed, one per line
man_synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$1" |
	sed -e '/^\./d' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/--/g' \
		-e 's/^[ 	]*//'
}

# the usage lines of -h output, "usage: " and "   or: " removed
help_synopsis() {
	sed -n '1,/^$/p' "$1" | sed -e '/^$/d' -e 's/^usage: //' \
		-e 's/^   or: //' -e 's/^[ 	]*//'
}

test_expect_success 'mmp(1) exists and documents the exit codes' '
	test -f "$MAN/mmp.1" &&
	for code in 0 1 128 129 130
	do
		grep -A1 "^\.TP" "$MAN/mmp.1" | grep -x "\.B $code" ||
		{ echo "exit code $code not documented" >&2; return 1; }
	done
'

test_expect_success 'mmp(1) synopsis matches mmp -h' '
	mmp -h >h &&
	help_synopsis h >expect &&
	man_synopsis "$MAN/mmp.1" >actual &&
	test_cmp expect actual
'

test_expect_success 'every command has a man page with a matching SYNOPSIS' '
	mmp help --commands >cmds &&
	while read c
	do
		page="$MAN/mmp-$c.1" &&
		test -f "$page" || { echo "no man page for $c" >&2; return 1; }
		mmp $c -h >h &&
		help_synopsis h >expect &&
		man_synopsis "$page" >actual &&
		test_cmp expect actual || return 1
	done <cmds
'

# every sub-command's own -h (mmp runs list -h) is one block of its
# page's SYNOPSIS, as it is one block of the command's -h
test_expect_success 'every sub-command -h matches its part of the SYNOPSIS' '
	while read c
	do
		mmp $c -h >h &&
		help_synopsis h |
		awk -v c="$c" "\$1 == \"mmp\" && \$2 == c &&
			\$3 ~ /^[a-z][a-z-]*\$/ { print \$3 }" >subs &&
		man_synopsis "$MAN/mmp-$c.1" >page &&
		while read s
		do
			mmp $c $s -h >sh &&
			help_synopsis sh >part &&
			/usr/bin/python3 -c "
import sys
part = open(sys.argv[1]).read().splitlines()
page = open(sys.argv[2]).read().splitlines()
sys.exit(0 if any(page[i:i + len(part)] == part
                  for i in range(len(page))) else 1)
" part page ||
			{ echo "mmp $c $s -h is not in mmp-$c(1):" >&2;
			  cat part >&2; return 1; }
		done <subs || return 1
	done <cmds
'

test_expect_success 'every command is listed in mmp(1)' '
	while read c
	do
		grep -q "^\.BR mmp-$c (1)" "$MAN/mmp.1" ||
		{ echo "mmp-$c not in mmp(1)" >&2; return 1; }
	done <cmds
'

test_expect_success 'every man page is well-formed roff' '
	for page in "$MAN"/*.1 "$MAN"/*.5 "$MAN"/*.7
	do
		test -e "$page" || continue
		head -n 1 "$page" | grep "^\.TH " &&
		grep -q "^\.SH NAME" "$page" &&
		grep -q "^\.SH SYNOPSIS\|^\.SH DESCRIPTION" "$page" || return 1
		if command -v groff >/dev/null 2>&1
		then
			groff -man -Tutf8 -ww -z "$page" 2>warn &&
			! test -s warn || { cat warn >&2; return 1; }
		fi
	done
'

test_done
