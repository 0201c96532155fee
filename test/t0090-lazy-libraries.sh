#!/bin/sh
# t0090-lazy-libraries: XGBoost, libgit2, libcurl and libmicrohttpd are
# opened only by the commands that use them; a missing one stops those
# commands with a clear message and leaves every other command working

. "$(dirname "$0")/test-lib.sh"

LAZY="libxgboost libgit2 libcurl libmicrohttpd libcrypto"

test_expect_success 'the binary and libmmp.so do not link the lazy libraries' '
	for f in "$BUILD_DIR/mmp" "$SRC_DIR/lib/libmmp.so"
	do
		readelf -d "$f" >dyn &&
		test_grep "NEEDED.*libsqlite3" dyn &&
		for lib in $LAZY
		do
			! grep "NEEDED.*\[$lib" dyn || return 1
		done
	done
'

test_expect_success 'libmmp.so leaves no lazy library symbol to the loader' '
	nm -D --undefined-only "$SRC_DIR/lib/libmmp.so" >undef &&
	! grep -E " (XG|git_|curl_|MHD_|EVP_)" undef
'

test_expect_success JQ 'set up a project with one registered run' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=5 >../run1) &&
	(cd proj && mmp register "$(cat ../run1)" --name cancer >/dev/null) &&
	(cd proj && mmp runs list --json >../before.json) &&
	test "$(json_get before.json ".runs | length")" = 1
'

# the loader opens $MMP_LIB_<NAME> instead of the SONAME found at build time
nolib() {
	var=$1
	shift
	env "$var=libmmp-test-missing.so.7" "$@"
}

test_expect_success 'mmp --version prints one line and opens no library' '
	MMP_LIB_XGBOOST=libmmp-test-missing.so.7 \
	MMP_LIB_GIT2=libmmp-test-missing.so.7 \
	MMP_LIB_CURL=libmmp-test-missing.so.7 \
	MMP_LIB_MICROHTTPD=libmmp-test-missing.so.7 \
	MMP_LIB_CRYPTO=libmmp-test-missing.so.7 \
		mmp --version >out 2>err &&
	test_must_be_empty err &&
	test_line_count = 1 out &&
	grep -E "^mmp version [0-9]+\.[0-9]+\.[0-9]+$" out
'

test_expect_success NOT_SANITIZED 'the everyday commands open none of them' '
	run=$(cat run1) &&
	for c in "--version" "runs list" "runs show $run" "models show cancer" \
		"audit" "config list"
	do
		# shellcheck disable=SC2086
		(cd proj && LD_DEBUG=files mmp $c >/dev/null 2>../ld) &&
		for lib in $LAZY
		do
			! grep "file=$lib" ld || { echo "$c opened $lib"; return 1; }
		done || return 1
	done
'

test_expect_success JQ 'with every lazy library missing, the store commands work' '
	run=$(cat run1) &&
	(cd proj &&
	 MMP_LIB_XGBOOST=libmmp-test-missing.so.7 \
	 MMP_LIB_GIT2=libmmp-test-missing.so.7 \
	 MMP_LIB_CURL=libmmp-test-missing.so.7 \
	 MMP_LIB_MICROHTTPD=libmmp-test-missing.so.7 \
	 MMP_LIB_CRYPTO=libmmp-test-missing.so.7 \
	 sh -c "mmp runs list --json >../list.json &&
		mmp runs show $run --json >../show.json &&
		mmp models show cancer --json >../model.json &&
		mmp audit --json >../audit.json &&
		mmp config list --json >../config.json") &&
	test "$(json_get list.json ".runs | length")" = 1 &&
	test "$(json_get show.json .run.run_id)" = "$(cat run1)" &&
	test "$(json_get model.json .model.name)" = cancer &&
	json_get config.json . >/dev/null
'

test_expect_success 'train without XGBoost: fatal, exit 128, nothing stored' '
	(cd proj && test_expect_code 128 nolib MMP_LIB_XGBOOST \
		mmp train --recipe recipes/breast-cancer.yaml >../out 2>../err) &&
	test_must_be_empty out &&
	test_line_count = 1 err &&
	test_grep "^fatal: cannot load libmmp-test-missing.so.7: cannot open shared object file: No such file or directory; install " err &&
	(cd proj && mmp runs list --json --all >../after.json) &&
	test "$(json_get after.json ".runs | length")" = 1
'

test_expect_success 'the message names the Debian package found at build time' '
	pkg=$(sed -n "s/.*; install \(.*\)$/\1/p" err) &&
	test -n "$pkg" &&
	if command -v dpkg-query >/dev/null
	then
		dpkg-query -W "$pkg" >/dev/null
	fi
'

test_expect_success 'train without libgit2 stops before any work' '
	(cd proj && test_expect_code 128 nolib MMP_LIB_GIT2 \
		mmp train --recipe recipes/breast-cancer.yaml 2>../err) &&
	test_grep "^fatal: cannot load libmmp-test-missing.so.7: .*; install " err &&
	(cd proj && mmp runs list --json --all >../after.json) &&
	test "$(json_get after.json ".runs | length")" = 1
'

test_expect_success 'serve-api, ui, batch-inference and sync need their library' '
	(cd proj &&
	 test_expect_code 128 nolib MMP_LIB_MICROHTTPD \
		mmp serve-api --model cancer@Production --port 0 2>../e1 &&
	 test_expect_code 128 nolib MMP_LIB_XGBOOST \
		mmp serve-api --model cancer@Production --port 0 2>../e2 &&
	 test_expect_code 128 nolib MMP_LIB_MICROHTTPD mmp ui --port 0 2>../e3 &&
	 test_expect_code 128 nolib MMP_LIB_XGBOOST \
		mmp batch-inference --model cancer@Production \
		--input x.csv --output y.csv 2>../e4 &&
	 test_expect_code 128 nolib MMP_LIB_CURL \
		mmp sync --tracking-uri http://127.0.0.1:9 2>../e5) &&
	for e in e1 e2 e3 e4 e5
	do
		test_line_count = 1 $e &&
		test_grep "^fatal: cannot load libmmp-test-missing.so.7: " $e ||
		return 1
	done
'

test_expect_success 'train without libcrypto stops before any work' '
	(cd proj && test_expect_code 128 nolib MMP_LIB_CRYPTO \
		mmp train --recipe recipes/breast-cancer.yaml 2>../err) &&
	test_line_count = 1 err &&
	test_grep "^fatal: cannot load libmmp-test-missing.so.7: .*; install " err &&
	(cd proj && mmp runs list --json --all >../after.json) &&
	test "$(json_get after.json ".runs | length")" = 1
'

test_expect_success 'a digest without libcrypto aborts with the reason' '
	(cd proj && test_expect_code 134 nolib MMP_LIB_CRYPTO \
		mmp promote cancer v1 Staging 2>../err) &&
	test_grep "^fatal: cannot load libmmp-test-missing.so.7: .*; install " err &&
	(cd proj && mmp models show cancer --json >../m.json) &&
	test "$(json_get m.json ".model.versions[0].stage")" = None
'

test_expect_success 'a command that needs a library still answers -h' '
	nolib MMP_LIB_XGBOOST mmp train -h >out &&
	test_grep "^usage: mmp train" out &&
	nolib MMP_LIB_MICROHTTPD mmp serve-api --help >out &&
	test_grep "^usage: mmp serve-api" out
'

test_expect_success JQ 'mmp version shows a missing library as null' '
	mmp version --json >all.json &&
	for lib in xgboost libgit2 libcurl libmicrohttpd libpq libcrypto
	do
		json_get all.json ".libraries.$lib" |
			grep -E "^[0-9]+\.[0-9]+" || return 1
	done &&
	nolib MMP_LIB_PQ mmp version --json >pq.json &&
	test "$(json_get pq.json .libraries.libpq)" = null &&
	nolib MMP_LIB_CURL mmp version --json >v.json &&
	test "$(json_get v.json .libraries.libcurl)" = null &&
	test "$(json_get v.json .libraries.xgboost)" = \
		"$(json_get all.json .libraries.xgboost)" &&
	nolib MMP_LIB_CURL mmp version >v.out &&
	test_grep "^libcurl \(not found\)$" v.out
'

test_expect_success JQ 'mmp doctor fails the toolchain check and says what to install' '
	test_expect_code 1 nolib MMP_LIB_MICROHTTPD \
		mmp doctor --check toolchain --json >d.json &&
	json_get d.json ".checks[0].status" >status &&
	grep -x fail status &&
	json_get d.json ".checks[0].fix" >fix &&
	test_grep "cannot load libmmp-test-missing.so.7: .*; install .* \(serve-api and ui need it\)" fix
'

test_expect_success 'a library without a function mmp calls is refused' '
	(cd proj && test_expect_code 128 env MMP_LIB_XGBOOST=libsqlite3.so.0 \
		mmp train --recipe recipes/breast-cancer.yaml 2>../err) &&
	test_grep "^fatal: cannot load libsqlite3.so.0: it has no function XGBGetLastError \(too old\?\); install " err
'

test_done
