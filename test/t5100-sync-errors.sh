#!/bin/sh
# t5100-sync-errors: every failure class of a push, retries with backoff,
# credentials sent to the server and never shown or stored

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

# push NAME [sync options]: mmp sync --json to server NAME, output in
# NAME.json and NAME.err; the exit code is returned
push() {
	name=$1
	shift
	(cd proj && mmp sync --tracking-uri "$(cat "../$name.uri" 2>/dev/null ||
		fake_url "$name")" --json "$@") >"$name.json" 2>"$name.err"
}

test_expect_success 'set up a project with two ended runs' '
	mmp init -q proj &&
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml) &&
	store-writer $DB start --experiment small --name small : \
		metric @ x=1 : end @ FINISHED >/dev/null
'

test_expect_success JQ 'refused: retried, then the class and a hint' '
	fake_start gone && fake_url gone >gone.uri && fake_stop gone &&
	test_expect_code 1 push gone --retries 2 &&
	test "$(json_get gone.json .status)" = failed &&
	test "$(json_get gone.json .error_class)" = refused &&
	test "$(json_get gone.json .retries)" = 2 &&
	test "$(json_get gone.json .requests)" = 3 &&
	test_grep "^error: cannot push to .$(cat gone.uri).: run [0-9a-f]*: experiment .breast-cancer.: look up the experiment: .*.refused. .after 3 attempts.; nothing listens there" gone.err &&
	(cd proj && mmp sync status --tracking-uri "$(cat ../gone.uri)" \
		--json) >st.json &&
	test "$(json_get st.json .last_error_class)" = refused &&
	test "$(json_get st.json ".last_error | test(\"refused\")")" = true &&
	test "$(json_get st.json .runs_pending)" = 2 &&
	(cd proj && mmp sync status --tracking-uri "$(cat ../gone.uri)") \
		>st.txt &&
	test_grep "^last error .refused, [0-9T:Z-]*.: run " st.txt
'

test_expect_success JQ '401 without credentials: auth, no retry' '
	fake_start basic --mode basicauth --user alice --password "pw-Secret-1" &&
	test_expect_code 1 push basic &&
	test "$(json_get basic.json .error_class)" = auth &&
	test "$(json_get basic.json .requests)" = 1 &&
	test_line_count = 1 basic.log &&
	test_grep "http 401 .auth.: You are not authenticated" basic.err &&
	test_grep "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN" basic.err
'

test_expect_success JQ 'basic auth from the environment is sent' '
	: >basic.log &&
	MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=pw-Secret-1 \
		push basic &&
	test "$(json_get basic.json .status)" = ok &&
	test "$(json_get basic.json .sent.runs)" = 2 &&
	cred=$(printf "alice:pw-Secret-1" | base64) &&
	grep -v "^GET /__fake" basic.log >api.log &&
	test "$(grep -c " auth=Basic $cred\( \|$\)" api.log)" = "$(grep -c . api.log)"
'

test_expect_success JQ 'a bearer token from the environment is sent' '
	fake_start token &&
	MLFLOW_TRACKING_TOKEN=tok-Secret-2 push token &&
	test "$(json_get token.json .status)" = ok &&
	grep -v "^GET /__fake" token.log >api.log &&
	test "$(grep -c " auth=Bearer tok-Secret-2\( \|$\)" api.log)" = \
		"$(grep -c . api.log)"
'

test_expect_success JQ 'credentials in the URI are used and never shown' '
	fake_start inuri --mode basicauth --user bob --password "pw-Secret-3" &&
	port=$(fake_url inuri | sed "s/.*://") &&
	echo "http://bob:pw-Secret-3@127.0.0.1:$port" >inuri.uri &&
	push inuri -v &&
	test "$(json_get inuri.json .remote)" = "http://127.0.0.1:$port" &&
	test "$(json_get inuri.json .sent.runs)" = 2 &&
	test "$(sql $DB "SELECT uri FROM sync_remotes WHERE uri LIKE \"%$port\"")" = \
		"http://127.0.0.1:$port" &&
	(cd proj && mmp sync status --tracking-uri "$(cat ../inuri.uri)") \
		>inuri-st.txt &&
	test_grep "^remote: http://127.0.0.1:$port$" inuri-st.txt
'

test_expect_success 'a refused request with credentials does not print them' '
	echo "http://bob:pw-Secret-4@127.0.0.1:$(sed "s/.*://" gone.uri)" \
		>gone4.uri &&
	test_expect_code 1 sh -c "cd proj && MLFLOW_TRACKING_TOKEN=tok-Secret-5 \
		mmp sync --retries 0 --tracking-uri \"$(cat gone4.uri)\"" \
		>gone4.out 2>gone4.err &&
	test_grep "refused" gone4.err
'

test_expect_success 'no secret in any output, log of mmp or the store' '
	for s in pw-Secret-1 pw-Secret-3 pw-Secret-4 tok-Secret-2 tok-Secret-5
	do
		! grep -r -a -l "$s" *.json *.err *.out *.txt proj/.mmp ||
		{ echo "secret $s leaked" >&2; return 1; }
	done
'

test_expect_success JQ 'non-JSON 403 Permission denied: permission' '
	fake_start denied --mode denied &&
	test_expect_code 1 push denied &&
	test "$(json_get denied.json .error_class)" = permission &&
	test_grep "http 403 .permission.: Permission denied; this user may not write there" denied.err &&
	test_line_count = 1 denied.log
'

test_expect_success JQ 'JSON 403 PERMISSION_DENIED: permission' '
	fake_start perm --mode permission &&
	test_expect_code 1 push perm &&
	test "$(json_get perm.json .error_class)" = permission &&
	test_grep "http 403 .permission.: PERMISSION_DENIED: Permission denied" perm.err
'

test_expect_success JQ 'MLflow 3 Host check (text 403): host-policy' '
	fake_start host --mode hostcheck &&
	test_expect_code 1 push host &&
	test "$(json_get host.json .error_class)" = host-policy &&
	test_grep "http 403 .host-policy.: Invalid Host header" host.err &&
	test_grep "add it to --allowed-hosts" host.err
'

test_expect_success JQ 'HTML 404 at a wrong base URL: wrong-base-url' '
	fake_start pfx --mode prefix --prefix /mlflow &&
	test_expect_code 1 push pfx &&
	test "$(json_get pfx.json .error_class)" = wrong-base-url &&
	test_grep "http 404 .wrong-base-url.: <!doctype html>; no MLflow API at this base URL" pfx.err &&
	test_line_count = 1 pfx.log &&
	echo "$(fake_url pfx)/mlflow" >pfx.uri &&
	push pfx &&
	test "$(json_get pfx.json .sent.runs)" = 2
'

test_expect_success JQ '503 twice, then success: retried' '
	fake_start flaky --fail-first 2 --fail-status 503 &&
	push flaky &&
	test "$(json_get flaky.json .status)" = ok &&
	test "$(json_get flaky.json .retries)" = 2 &&
	test "$(json_get flaky.json .sent.runs)" = 2 &&
	test "$(sed -n 1,3p flaky.log | grep -c "experiments/get-by-name")" = 3 &&
	fake_state flaky state.json &&
	test "$(jq ".runs | length" state.json)" = 2
'

test_expect_success JQ '429 is retried too' '
	fake_start busy --fail-first 1 --fail-status 429 &&
	push busy &&
	test "$(json_get busy.json .retries)" = 1
'

test_expect_success JQ 'a 5xx that persists fails after the retries' '
	fake_start down --fail-first 100 --fail-status 502 &&
	test_expect_code 1 push down --retries 2 &&
	test "$(json_get down.json .error_class)" = server-error &&
	test_grep "http 502 .server-error.: .*.after 3 attempts." down.err &&
	test_line_count = 3 down.log
'

test_expect_success JQ 'a 4xx is not retried; the next push completes' '
	fake_start bad --fail-first 1 --fail-status 400 &&
	test_expect_code 1 push bad &&
	test "$(json_get bad.json .error_class)" = api-error &&
	test_grep "http 400 .api-error.: INVALID_PARAMETER_VALUE: injected failure" bad.err &&
	test_line_count = 1 bad.log &&
	push bad &&
	test "$(json_get bad.json .sent.runs)" = 2 &&
	(cd proj && mmp sync status --tracking-uri "$(fake_url bad)" \
		--json) >st.json &&
	test "$(json_get st.json .last_error)" = null &&
	test "$(json_get st.json .runs_pending)" = 0
'

test_expect_success JQ 'a server without the artifact proxy is named' '
	fake_start local --mode artifacts-local &&
	test_expect_code 1 push local &&
	test_grep "the server keeps artifacts at ./mlflow/artifacts/[0-9]*/[0-9a-f]*/artifacts., neither behind its artifact proxy nor in S3: start it with --serve-artifacts" local.err
'

test_expect_success JQ 'an artifact changed on disk is refused' '
	fake_start changed &&
	dir=$(ls -d proj/.mmp/artifacts/*/*/artifacts | head -n 1) &&
	echo tampered >>"$dir/recipe.yaml" &&
	test_expect_code 1 push changed &&
	test_grep "artifact .*recipe.yaml. of run [0-9a-f]* changed on disk since it was logged" changed.err
'

test_done
