#!/bin/sh
# t6000-doctor-basic: mmp doctor: output form, --json, --check, exit codes,
# the toolchain, config and store checks

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the toolchain check passes and names the versions' '
	mmp doctor --check toolchain >out &&
	test_line_count = 1 out &&
	test_grep "^ok    toolchain  mmp [0-9]+\.[0-9]+\.[0-9]+, [0-9]+ cpus?, " out &&
	mmp -v doctor --check toolchain >out &&
	test_grep "^      - mmp [0-9.]+, xgboost 1\.7\.4, sqlite " out &&
	test_grep "^      - xgboost threads: [0-9]+" out &&
	test_grep "^      - memory: [0-9.]+ GiB total" out
'

test_expect_success 'OMP_WAIT_POLICY=ACTIVE warns with the fix; a warning exits 0' '
	OMP_WAIT_POLICY=ACTIVE mmp doctor --check toolchain >out &&
	test_grep "^warn  toolchain  OMP_WAIT_POLICY is not PASSIVE" out &&
	test_grep "^      - OMP_WAIT_POLICY: ACTIVE: idle OpenMP threads spin" out &&
	test_grep "^      fix: unset OMP_WAIT_POLICY or set OMP_WAIT_POLICY=PASSIVE$" out
'

test_expect_success 'OMP_NUM_THREADS above the cpu count warns' '
	OMP_NUM_THREADS=4096 mmp doctor --check toolchain >out &&
	test_grep "^warn  toolchain  OMP_NUM_THREADS is larger than the usable cpus" out &&
	test_grep "xgboost threads: 4096 \(OMP_NUM_THREADS=4096\)" out
'

test_expect_success JQ '--json prints one document of the documented shape' '
	mmp doctor --json --check serve --check toolchain >out.json &&
	test_line_count = 1 out.json &&
	test "$(json_get out.json .schema_version)" = 1 &&
	test "$(json_get out.json .ok)" = true &&
	test "$(json_get out.json "[.checks[].name] | join(\",\")")" = toolchain,serve &&
	test "$(json_get out.json ".checks[0].status")" = ok &&
	test "$(json_get out.json ".checks[0].fix")" = null &&
	test "$(json_get out.json ".checks[0].details | type")" = array &&
	json_get out.json ".checks[0].details[0]" | grep "^mmp " &&
	test "$(json_get out.json ".checks[1].summary")" = \
		"not checked: give --serve-url to probe a running mmp serve-api"
'

test_expect_success JQ 'a warning in --json carries its fix; ok stays true' '
	OMP_WAIT_POLICY=active mmp doctor --json --check toolchain >out.json &&
	test "$(json_get out.json .ok)" = true &&
	test "$(json_get out.json ".checks[0].status")" = warn &&
	json_get out.json ".checks[0].fix" | grep "OMP_WAIT_POLICY=PASSIVE"
'

test_expect_success 'an unknown --check is a usage error with a suggestion' '
	test_expect_code 129 mmp doctor --check port 2>err &&
	test_grep "^error: unknown check .port.; did you mean .ports.\?" err &&
	test_grep "^usage: mmp doctor" err &&
	test_expect_code 129 mmp doctor --check zzzzzzzz 2>err &&
	test_grep "^error: unknown check .zzzzzzzz.$" err
'

test_expect_success 'a bad --port value is a usage error naming it' '
	for p in 0 70000 abc 80x ""
	do
		test_expect_code 129 mmp doctor --check ports --port "$p" 2>err &&
		test_grep "option .--port. expects a port number 1-65535, got .$p." err ||
		return 1
	done
'

test_expect_success 'doctor takes no arguments' '
	test_expect_code 129 mmp doctor extra 2>err &&
	test_grep "takes no arguments" err
'

test_expect_success 'no store: the store check warns and says mmp init' '
	mmp doctor --check store >out &&
	test_grep "^warn  store " out &&
	test_grep "fix: run .mmp init." out
'

test_expect_success 'a corrupt store fails the store check naming the file, exit 1' '
	mkdir -p corrupt/.mmp &&
	printf "this is not a database at all, but some text\n%.0s" \
		$(seq 1 200) >corrupt/.mmp/mmp.db &&
	(
		cd corrupt &&
		test_expect_code 1 mmp doctor --check store --check toolchain >../out
	) &&
	test_grep "^fail  store      cannot open the store .*corrupt/\.mmp/mmp\.db" out &&
	test_grep "fix: the file is damaged or not an mmp store" out &&
	test_grep "^ok    toolchain" out
'

test_expect_success JQ 'a failed check makes ok false in --json' '
	(
		cd corrupt &&
		test_expect_code 1 mmp doctor --json --check store >../out.json
	) &&
	test "$(json_get out.json .ok)" = false &&
	test "$(json_get out.json ".checks[0].status")" = fail
'

test_expect_success 'valid configs and recipes pass; -v shows value origins' '
	mkdir proj proj/configs proj/recipes &&
	printf "serve:\n  port: 9123\n" >proj/configs/base.yaml &&
	cp "$SRC_DIR/recipes/penguins.yaml" proj/recipes/ &&
	mkdir -p proj/recipes/data &&
	cp "$SRC_DIR/recipes/data/penguins.csv" proj/recipes/data/ &&
	(cd proj && mmp -v doctor --check config >../out) &&
	test_grep "^ok    config     1 config file and 1 recipe valid" out &&
	test_grep "^      - serve.port = 9123 \(file:.*configs/base.yaml:2" out
'

test_expect_success 'a bad config value fails naming the file and line' '
	printf "serve:\n  port: lots\n" >proj/configs/base.yaml &&
	(cd proj && test_expect_code 1 mmp doctor --check config >../out) &&
	test_grep "^fail  config     .*configs/base.yaml:2:.*serve.port" out &&
	test_grep "fix: correct the value at the file and line named above" out
'

test_expect_success 'a broken environment overlay fails even when unused' '
	printf "serve:\n  port: 9123\n" >proj/configs/base.yaml &&
	printf "serve:\n  prot: 1\n" >proj/configs/prod.yaml &&
	(cd proj && test_expect_code 1 mmp doctor --check config >../out) &&
	test_grep "^fail  config     .*configs/prod.yaml:2:.*prot" out &&
	rm proj/configs/prod.yaml
'

test_expect_success 'a broken recipe fails naming the file and line' '
	printf "name: x\ntask: regresion\n" >proj/recipes/bad.yaml &&
	(cd proj && test_expect_code 1 mmp doctor --check config >../out) &&
	test_grep "^fail  config     .*recipes/bad.yaml:[0-9]+" out &&
	test_grep "fix: correct the recipe at the file and line named above" out
'

test_expect_success 'a project made by mmp init passes the config check' '
	mmp init -q fresh &&
	(cd fresh && mmp doctor --check config >../out) &&
	test_grep "^ok +config" out
'

test_expect_success 'a broken approval policy fails the config check, named' '
	echo "thresholds: {accuracy: {minn: 0.9}}" >fresh/configs/approval.yaml &&
	(cd fresh && test_expect_code 1 mmp doctor --check config >../out) &&
	test_grep "approval.yaml:1:" out
'

test_expect_success 'credentials in the tracking URI are never printed' '
	(cd fresh && MLFLOW_TRACKING_URI=http://alice:S3CRETPW@127.0.0.1:1 \
		mmp doctor >../out 2>&1;
	 MLFLOW_TRACKING_URI=http://alice:S3CRETPW@127.0.0.1:1 \
		mmp doctor --json >>../out 2>&1;
	 mmp sync --tracking-uri ftp://alice:S3CRETPW@127.0.0.1:1 >>../out 2>&1;
	 true) &&
	! grep -q S3CRETPW out &&
	test_grep "http://\*\*\*@127.0.0.1:1" out
'

test_expect_success JQ 'credentials in a URL and its origin are never shown' '
	for u in http://bob:PW7@127.0.0.1:1 bob:PW7@127.0.0.1:1
	do
		{ mmp -c "tracking.uri=$u" -v doctor \
			--check config --check tracking >out 2>&1; true; } &&
		{ mmp -c "tracking.uri=$u" doctor \
			--check config --check tracking --json >out.json; true; } &&
		! grep PW7 out out.json &&
		test_grep "tracking.uri = [a-z:/]*\*\*\*@127.0.0.1:1 \(command line: -c tracking.uri=[a-z:/]*\*\*\*@127.0.0.1:1\)" out &&
		jq -e "[.checks[].details[] | select(test(\"command line: -c tracking.uri=[a-z:/]*[*]{3}@127.0.0.1:1\"))] | length > 0" out.json ||
		return 1
	done
'

test_done
