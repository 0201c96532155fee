# SPDX-License-Identifier: MIT
# test-lib.sh: git-style shell test library emitting TAP.
#
# A script sources this file, then calls test_expect_success 'title' 'body'
# for each test and test_done at the end. Every script runs in its own
# scratch directory with a hermetic environment: HOME there, LANG=C,
# TZ=UTC, no MMP_* variables from the caller, no system configuration.

TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
SRC_DIR=$(cd "$TEST_DIRECTORY/.." && pwd)
FIXTURES="$TEST_DIRECTORY/fixtures"
TEST_NAME=$(basename "$0" .sh)
BUILD_DIR=${MMP_BUILD_DIR:-$SRC_DIR/cmd}
HELPERS="$TEST_DIRECTORY/helpers/bin"

# hermetic environment
for v in $(env | sed -n 's/^\(MMP_[A-Za-z0-9_]*\)=.*/\1/p'); do
	case "$v" in
	MMP_BUILD_DIR|MMP_SANITIZE) ;;
	*) unset "$v" ;;
	esac
done
unset NO_COLOR COLUMNS MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN \
	MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD GIT_DIR GIT_WORK_TREE
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
	AWS_REGION AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE AWS_CA_BUNDLE \
	MLFLOW_S3_ENDPOINT_URL MLFLOW_S3_IGNORE_TLS AWS_CONFIG_FILE \
	AWS_DEFAULT_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN \
	AWS_ROLE_SESSION_NAME AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_EC2_METADATA_SERVICE_ENDPOINT \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_SSO
# no test asks the instance metadata of the machine it runs on
AWS_EC2_METADATA_DISABLED=true
export AWS_EC2_METADATA_DISABLED
LANG=C LC_ALL=C TZ=UTC TERM=dumb
MMP_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
GIT_CONFIG_NOSYSTEM=1
export LANG LC_ALL TZ TERM MMP_CONFIG_NOSYSTEM GIT_CONFIG_NOSYSTEM \
	GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
PATH="$BUILD_DIR:$HELPERS:$PATH"
export PATH

TRASH_DIRECTORY=$(mktemp -d "${TMPDIR:-/tmp}/mmp-$TEST_NAME.XXXXXX") || exit 1
HOME="$TRASH_DIRECTORY"
XDG_CONFIG_HOME="$TRASH_DIRECTORY/.config"
export HOME XDG_CONFIG_HOME
if test -n "$MMP_SANITIZE"; then
	ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$TRASH_DIRECTORY/.sanitizer"
	UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$TRASH_DIRECTORY/.sanitizer"
	export ASAN_OPTIONS UBSAN_OPTIONS
fi
cd "$TRASH_DIRECTORY" || exit 1

test_count=0
test_failures=0
test_skipped=0
test_prereqs=" "

say() { printf '%s\n' "$*"; }

test_set_prereq() { test_prereqs="$test_prereqs$1 "; }

test_have_prereq() {
	for p in $(echo "$1" | tr , ' '); do
		case "$test_prereqs" in
		*" $p "*) ;;
		*) return 1 ;;
		esac
	done
	return 0
}

# sanitizer reports written during a test make it fail
test_sanitizer_clean_() {
	set -- "$TRASH_DIRECTORY"/.sanitizer.*
	test -e "$1" || return 0
	for f in "$@"; do
		sed 's/^/# /' "$f"
		rm -f "$f"
	done
	return 1
}

test_run_() {
	test_body_out="$TRASH_DIRECTORY/.test-output"
	(
		cd "$TRASH_DIRECTORY/$test_subdir" 2>/dev/null || cd "$TRASH_DIRECTORY"
		eval "$1"
	) >"$test_body_out" 2>&1
}

test_ok_() {
	say "ok $test_count - $1"
}

test_failure_() {
	test_failures=$((test_failures + 1))
	say "not ok $test_count - $1"
	sed -e 's/^/#	/' <<-EOF_BODY
	$2
	EOF_BODY
	if test -s "$test_body_out"; then
		say "# output:"
		sed -e 's/^/#   /' "$test_body_out" | head -n 80
	fi
}

# test_expect_success [PREREQ] 'title' 'body'
test_expect_success() {
	test_count=$((test_count + 1))
	if test $# = 3; then
		if ! test_have_prereq "$1"; then
			test_skipped=$((test_skipped + 1))
			say "ok $test_count # skip $2 (missing $1)"
			return 0
		fi
		shift
	fi
	if test_run_ "$2" && test_sanitizer_clean_; then
		test_ok_ "$1"
	else
		test_sanitizer_clean_ >>"$test_body_out"
		test_failure_ "$1" "$2"
	fi
}

test_done() {
	test_kill_bg_
	say "1..$test_count"
	if test "$test_failures" = 0; then
		say "# passed all $test_count test(s)"
		cd / && rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	say "# failed $test_failures among $test_count test(s)"
	say "# scratch directory kept: $TRASH_DIRECTORY"
	exit 1
}

# --- helpers used inside test bodies ---

# test_expect_code CODE command args...
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if test "$got" = "$want"; then
		return 0
	fi
	echo "test_expect_code: command exited $got, wanted $want: $*" >&2
	return 1
}

# test_must_fail command args...: exits 1..127 or 128/129 (not a crash)
test_must_fail() {
	"$@"
	got=$?
	if test "$got" = 0; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif test "$got" -gt 129 || test "$got" = 99; then
		echo "test_must_fail: command died with $got: $*" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# test_grep [-v] PATTERN FILE: grep that shows the file when it fails
test_grep() {
	if test "$1" = "-v"; then
		shift
		if grep -E -e "$1" "$2" >/dev/null; then
			echo "test_grep: '$1' found in $2:" >&2
			cat "$2" >&2
			return 1
		fi
		return 0
	fi
	if ! grep -E -e "$1" "$2" >/dev/null; then
		echo "test_grep: '$1' not found in $2:" >&2
		cat "$2" >&2
		return 1
	fi
}

test_must_be_empty() {
	if test -s "$1"; then
		echo "test_must_be_empty: $1 is not empty:" >&2
		cat "$1" >&2
		return 1
	fi
}

test_line_count() {
	n=$(wc -l <"$3" | tr -d ' ')
	if ! test "$n" "$1" "$2"; then
		echo "test_line_count: $3 has $n lines, want $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}

# Every process a test starts in the background is registered with
# test_bg_register PID (start_bg, fake_start and serve_start do it); all
# of them are killed when the script ends, passing, failing or killed,
# before the scratch directory (and the pid files in it) goes away.
TEST_BG_PIDS="$TRASH_DIRECTORY/.bg-pids"

test_bg_register() {
	echo "$1" >>"$TEST_BG_PIDS"
}

# test_at_end COMMAND: run COMMAND (a shell word list, e.g. a function
# stopping a server) when the script ends, passing, failing or killed,
# before the background processes are killed
TEST_AT_END="$TRASH_DIRECTORY/.at-end"

test_at_end() {
	echo "$1" >>"$TEST_AT_END"
}

test_kill_bg_() {
	if test -e "$TEST_AT_END"; then
		while read -r c; do
			$c
		done <"$TEST_AT_END"
		rm -f "$TEST_AT_END"
	fi
	test -e "$TEST_BG_PIDS" || return 0
	for p in $(cat "$TEST_BG_PIDS"); do
		kill -9 "$p" 2>/dev/null
	done
	rm -f "$TEST_BG_PIDS"
}

trap 'test_kill_bg_' EXIT
trap 'test_kill_bg_; exit 130' INT
trap 'test_kill_bg_; exit 143' TERM
trap 'test_kill_bg_; exit 129' HUP

# start_bg NAME CMD...: run a helper that prints "port=N" first (a
# loopback server on a free port); its port goes to NAME.port, its pid
# to NAME.pid. Waits at most 5 s. stop_bg NAME ends it.
start_bg() {
	start_bg_within 5 "$@"
}

# start_bg_within SECONDS NAME CMD...: start_bg for a helper that may
# take longer to listen (a Node server on a loaded machine)
start_bg_within() {
	polls=$(($1 * 50))
	name=$2
	shift 2
	rm -f "$name.out" "$name.port"
	"$@" >"$name.out" 2>"$name.err" &
	echo $! >"$name.pid"
	test_bg_register $!
	n=0
	until grep -q "^port=" "$name.out" 2>/dev/null
	do
		n=$((n + 1))
		if test $n -gt $polls || ! kill -0 "$(cat "$name.pid")" 2>/dev/null
		then
			cat "$name.err" >&2
			return 1
		fi
		sleep 0.02
	done
	sed -n "s/^port=//p" "$name.out" >"$name.port"
}

stop_bg() {
	kill "$(cat "$1.pid")" 2>/dev/null
	n=0
	while kill -0 "$(cat "$1.pid")" 2>/dev/null && test $n -lt 250
	do
		n=$((n + 1))
		sleep 0.02
	done
	rm -f "$1.pid"
}

# json_get FILE FILTER: jq -r on a --json document
json_get() {
	jq -r "$2" "$1"
}

# sql STORE_DB QUERY: read the store directly
sql() {
	sqlite3 -batch -noheader "$1" "$2"
}

if command -v jq >/dev/null 2>&1; then test_set_prereq JQ; fi
if command -v sqlite3 >/dev/null 2>&1; then test_set_prereq SQLITE3; fi
if /usr/bin/python3 -c 'import xgboost, numpy' >/dev/null 2>&1; then
	test_set_prereq PYXGB
fi
if test "$(id -u)" != 0; then test_set_prereq NOT_ROOT; fi
if test -z "$MMP_SANITIZE"; then test_set_prereq NOT_SANITIZED; fi
