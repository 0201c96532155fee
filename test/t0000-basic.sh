#!/bin/sh
# t0000-basic: the front-end: help, version, unknown commands, bad options

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'mmp --version names mmp, mmp version every library' '
	mmp --version >short &&
	test_line_count = 1 short &&
	grep -E "^mmp version [0-9]+\.[0-9]+\.[0-9]+$" short &&
	mmp version >out &&
	head -n 1 out >first &&
	test_cmp short first &&
	for lib in xgboost sqlite libgit2 libcurl libyaml cjson libmicrohttpd \
		libpq libcrypto zlib libzstd
	do
		test_grep "^$lib [0-9]+\.[0-9]+" out || return 1
	done
'

test_expect_success JQ 'mmp version --json is one document' '
	mmp version --json >out.json &&
	test "$(json_get out.json .schema_version)" = 1 &&
	test "$(json_get out.json .libraries.xgboost)" = 1.7.4 &&
	json_get out.json .version | grep -E "^[0-9]+\.[0-9]+\.[0-9]+$"
'

test_expect_success 'bare mmp prints usage and the command list, exit 1' '
	test_expect_code 1 mmp >out &&
	test_grep "^usage: mmp " out &&
	test_grep "^   help +show help" out
'

test_expect_success 'mmp -h and mmp help print usage, exit 0' '
	mmp -h >out1 &&
	mmp help >out2 &&
	test_cmp out1 out2 &&
	test_grep "These are the mmp commands" out1
'

test_expect_success 'every command answers -h and help CMD the same way' '
	mmp help --commands >cmds &&
	test_line_count -ge 2 cmds &&
	while read c
	do
		# "config" is also a help topic: mmp help config opens mmp-config(5)
		case $c in config) t=list ;; *) t= ;; esac &&
		mmp $c $t -h >h1 && mmp help $c $t >h2 && test_cmp h1 h2 &&
		head -n 1 h1 | grep "^usage: mmp $c" || return 1
	done <cmds
'

test_expect_success 'an unknown command names the closest match, exit 1' '
	test_expect_code 1 mmp versoin 2>err &&
	test_grep "^mmp: .versoin. is not an mmp command" err &&
	test_grep "^	version$" err
'

test_expect_success 'an unknown option prints usage, exit 129' '
	test_expect_code 129 mmp version --bogus 2>err &&
	test_grep "^error: unknown option .bogus." err &&
	test_grep "^usage: mmp version" err
'

test_expect_success 'a single-dash long option gets a hint, exit 129' '
	test_expect_code 129 mmp version -json 2>err &&
	test_grep "did you mean .--json. \(with two dashes\)" err
'

test_expect_success 'an unknown global option exits 129' '
	test_expect_code 129 mmp --bogus version 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'bad --color value is a usage error' '
	test_expect_code 129 mmp --color=sometimes version 2>err &&
	test_grep "auto, always or never" err
'

test_expect_success '-C changes directory first; a bad one is fatal (128)' '
	mkdir sub &&
	mmp -C sub version >/dev/null &&
	test_expect_code 128 mmp -C no-such-dir version 2>err &&
	test_grep "^fatal: cannot change to .no-such-dir." err
'

test_expect_success 'a write failure on stdout is reported' '
	if test -w /dev/full
	then
		test_expect_code 128 mmp version >/dev/full 2>err &&
		test_grep "write failure on standard output" err
	fi
'

test_expect_success 'libmmp.so exports only the mmp_ API' '
	nm -D --defined-only "$SRC_DIR/lib/libmmp.so" | awk "{print \$3}" >syms &&
	test_line_count -gt 0 syms &&
	test_grep -v "^[^m]|^m[^m]|^mm[^p]|^mmp[^_]" syms
'

test_done
