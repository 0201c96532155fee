#!/bin/sh
# t5600-models-pull: mmp models pull resolves models:/ URIs against the
# loopback MLflow server, downloads through its artifact proxy, checks
# sizes, records the version with its origin, transfers nothing twice,
# and leaves nothing behind when anything fails

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

DB=other/.mmp/mmp.db

pull() {
	(cd other && mmp models pull --tracking-uri "$(fake_url fake)" \
		--retries 0 "$@")
}

# counts: versions, runs, artifacts and model files in the store
counts() {
	echo "$(sql $DB "SELECT count(*) FROM model_versions")" \
		"$(sql $DB "SELECT count(*) FROM runs")" \
		"$(sql $DB "SELECT count(*) FROM artifacts")" \
		"$(find other/.mmp/artifacts -type f | wc -l)"
}

# the store holds nothing of a failed pull: the same counts as in
# before.counts, and nothing in its tmp directory
same_store() {
	counts >after.counts &&
	test_cmp before.counts after.counts &&
	test -z "$(ls other/.mmp/tmp 2>/dev/null)"
}

test_expect_success 'set up: two versions pushed, an alias and a stage' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml >../run1 &&
	 mmp train -q --recipe recipes/breast-cancer.yaml --set \
		model.params.max_depth=2 >../run2 &&
	 mmp register "$(cat ../run1)" --name bc >/dev/null &&
	 mmp register "$(cat ../run2)" --name bc >/dev/null &&
	 mmp promote bc 1 Staging >/dev/null &&
	 mmp alias bc champion 2 >/dev/null) &&
	fake_start fake &&
	(cd proj && mmp sync -q --tracking-uri "$(fake_url fake)") &&
	mmp init -q other
'

test_expect_success JQ 'pull models:/bc@champion' '
	: >fake.log &&
	pull models:/bc@champion --json >p1.json &&
	test "$(json_get p1.json .remote)" = "$(fake_url fake)" &&
	test "$(json_get p1.json .name)" = bc &&
	test "$(json_get p1.json .remote_version)" = 2 &&
	test "$(json_get p1.json .local_name)" = bc &&
	test "$(json_get p1.json .version)" = 1 &&
	test "$(json_get p1.json .already_pulled)" = false &&
	fake_state fake state.json &&
	rrun=$(jq -r ".runs[] | select(any(.data.tags[]; .key == \"mmp.run_id\"
		and .value == \"$(cat run2)\")) | .info.run_id" state.json) &&
	test "$(json_get p1.json .remote_run_id)" = "$rrun" &&
	root=$(jq -r ".runs[] | select(.info.run_id == \"$rrun\") |
		.info.artifact_uri" state.json) &&
	test "$(json_get p1.json .source)" = "$root/model" &&
	root=${root#mlflow-artifacts:/} &&
	jq -r ".artifacts[] | select(.path | startswith(\"$root/model/\")) |
		\"\(.path) \(.size)\"" state.json | sed "s|^$root/||" |
		sort >remote-files &&
	test "$(json_get p1.json .files)" = "$(wc -l <remote-files)" &&
	test "$(json_get p1.json .bytes)" = \
		"$(awk "{ s += \$2 } END { print s }" remote-files)" &&
	test "$(grep -c "^GET /api/2.0/mlflow-artifacts/artifacts/" fake.log)" = \
		"$(wc -l <remote-files)"
'

test_expect_success JQ 'the files are the pushed ones, the MLmodel the server'"'"'s' '
	dir=$(json_get p1.json .model_dir) &&
	src=$(sql proj/.mmp/mmp.db "SELECT artifact_uri FROM runs
		WHERE run_uuid = \"$(cat run2)\"") &&
	for f in model.ubj mmp-schema.json conda.yaml code/mmp_pyfunc.py
	do
		test_cmp "proj/.mmp/$src/model/$f" "$dir/$f" || return 1
	done &&
	test_grep "^run_id: $(json_get p1.json .remote_run_id)$" "$dir/MLmodel" &&
	sql $DB "SELECT path || \" \" || size FROM artifacts
		WHERE run_uuid = \"$(json_get p1.json .run_id)\"" | sort >local-files &&
	test_cmp remote-files local-files &&
	sql $DB "SELECT sha256 FROM artifacts WHERE path = \"model/model.ubj\"" \
		>sha-logged &&
	sha256sum "$dir/model.ubj" | cut -c1-64 >sha-file &&
	test_cmp sha-logged sha-file
'

test_expect_success JQ 'the version and its run record where it came from' '
	mmp --store other/.mmp models show bc 1 --json >show.json &&
	tag() {
		json_get show.json ".version.tags[\"$1\"] // (.version.tags[]? |
			select(.key == \"$1\") | .value)"
	} &&
	test "$(sql $DB "SELECT value FROM model_version_tags
		WHERE key = \"mmp.remote.server\"")" = "$(fake_url fake)" &&
	test "$(sql $DB "SELECT value FROM model_version_tags
		WHERE key = \"mmp.remote.version\"")" = 2 &&
	test "$(sql $DB "SELECT value FROM model_version_tags
		WHERE key = \"mmp.remote.run_id\"")" = \
		"$(json_get p1.json .remote_run_id)" &&
	test "$(sql $DB "SELECT value FROM model_version_tags
		WHERE key = \"mmp.remote.source\"")" = \
		"$(json_get p1.json .source)" &&
	test "$(sql $DB "SELECT kind || \" \" || status FROM runs")" = \
		"pull FINISHED" &&
	test "$(sql $DB "SELECT value FROM tags WHERE key = \"mmp.remote.name\"")" = bc
'

test_expect_success JQ 'the same version again transfers nothing' '
	: >fake.log &&
	pull models:/bc@champion --json >p2.json &&
	test "$(json_get p2.json .already_pulled)" = true &&
	test "$(json_get p2.json .version)" = 1 &&
	test "$(json_get p2.json .files)" = 0 &&
	! grep "mlflow-artifacts" fake.log &&
	! grep "get-download-uri" fake.log &&
	pull models:/bc/2 >p2.txt &&
	test_grep "nothing transferred" p2.txt &&
	test "$(sql $DB "SELECT count(*) FROM model_versions")" = 1
'

test_expect_success JQ 'by stage, by number, latest, and --as' '
	pull models:/bc/staging --json >st.json &&
	test "$(json_get st.json .remote_version)" = 1 &&
	test "$(json_get st.json .version)" = 2 &&
	pull models:/bc/latest --json >lt.json &&
	test "$(json_get lt.json .remote_version)" = 2 &&
	test "$(json_get lt.json .already_pulled)" = true &&
	pull models:/bc/1 --as bc-copy --json >as.json &&
	test "$(json_get as.json .local_name)" = bc-copy &&
	test "$(json_get as.json .version)" = 1 &&
	test "$(json_get as.json .already_pulled)" = false
'

test_expect_success 'the pulled model predicts as the pushed one' '
	head -n 20 proj/recipes/data/breast_cancer.csv >rows.csv &&
	(cd proj && mmp batch-inference --model bc@v2 --input ../rows.csv \
		--output ../want.csv) &&
	mmp --store other/.mmp batch-inference --model bc@v1 --input rows.csv \
		--output got.csv &&
	test_cmp want.csv got.csv
'

test_expect_success 'batch-inference --model models:/ pulls, then predicts' '
	mmp init -q third &&
	(cd third && MLFLOW_TRACKING_URI=$(fake_url fake) \
		mmp batch-inference --model models:/bc@champion \
		--input ../rows.csv --output ../bi.csv 2>../bi.err) &&
	test_cmp want.csv bi.csv &&
	test_grep "^pulled bc version 2 from .* as bc version 1$" bi.err &&
	test "$(sql third/.mmp/mmp.db "SELECT count(*) FROM model_versions")" = 1 &&
	(cd proj && mmp batch-inference --model bc@v1 --input ../rows.csv \
		--output ../want1.csv) &&
	(cd other && MLFLOW_TRACKING_URI=$(fake_url fake) \
		mmp batch-inference --model models:/bc/1 --input ../rows.csv \
		--output ../bi1.csv 2>../bi1.err) &&
	test_cmp want1.csv bi1.csv &&
	! grep "^pulled" bi1.err
'

test_expect_success JQ 'serve-api --model models:/ serves the pulled version' '
	(cd other && MLFLOW_TRACKING_URI=$(fake_url fake) \
		serve_start s --model models:/bc/Staging) &&
	test "$(req s GET /version)" = 200 &&
	test "$(json_get out .model.version // .model_version // .version)" != null &&
	mkmodel records rows.csv --drop target >rows.req &&
	test "$(post s /predict @rows.req)" = 200 &&
	jq -c ".predictions[]" out >served &&
	(cd proj && mmp batch-inference --model bc@v1 --input ../rows.csv \
		--output ../want1.jsonl --format jsonl --proba -q) &&
	test_cmp want1.jsonl served &&
	serve_stop s &&
	(cd other && test_expect_code 1 env \
		MLFLOW_TRACKING_URI=$(fake_url fake) mmp serve-api --port 0 \
		--model models:/bc@nobody) 2>se.err &&
	test_grep "^error: cannot pull .models:/bc@nobody." se.err
'

test_expect_success 'errors: unknown model, alias, version, empty stage' '
	counts >before.counts &&
	test_expect_code 1 pull models:/nope/1 2>e1 &&
	test_grep "^error: cannot pull .models:/nope/1.: .*http 404.*Registered Model with name=nope not found" e1 &&
	test_expect_code 1 pull models:/bc@nobody 2>e2 &&
	test_grep "^error: cannot pull .models:/bc@nobody.: .*http 404.*nobody" e2 &&
	test_expect_code 1 pull models:/bc/9 2>e3 &&
	test_grep "version=9" e3 &&
	test_expect_code 1 pull models:/bc/Production 2>e4 &&
	test_grep "model .bc. has no version in stage Production" e4 &&
	same_store
'

test_expect_success 'errors: what is not a models:/ URI' '
	for u in bc/1 models:/bc models:/bc/ models:/bc/Prod "models:/@x" \
		models:/bc/1/2
	do
		test_expect_code 1 pull "$u" 2>e || return 1
		test_grep "^error: cannot pull" e || return 1
		test_grep "is not a registry model URI: expected models:/<name>/<version>|is neither a version number nor a stage" e ||
			return 1
	done
'

test_expect_success 'errors: no server, 403, a server without the proxy' '
	counts >before.counts &&
	test_expect_code 1 sh -c "cd other &&
		mmp models pull --retries 0 --tracking-uri http://127.0.0.1:9 \
		models:/bc/1" 2>e5 &&
	test_grep "^error: cannot pull .models:/bc/1.: .*127.0.0.1 port 9.*nothing listens there" e5 &&
	fake_start perm --mode denied &&
	test_expect_code 1 sh -c "cd other && mmp models pull --retries 0 \
		--tracking-uri $(fake_url perm) models:/bc/1" 2>e6 &&
	test_grep "http 403" e6 &&
	same_store
'

test_expect_success JQ 'errors: files neither behind the proxy nor in S3, or no MLmodel' '
	counts >before.counts &&
	u=$(fake_url fake) &&
	rrun=$(json_get p1.json .remote_run_id) &&
	curl -sf -H "Content-Type: application/json" -d "{\"name\":\"bc\",
		\"source\":\"gs://bucket/models/bc\",\"run_id\":\"$rrun\"}" \
		"$u/api/2.0/mlflow/model-versions/create" >v3.json &&
	v3=$(json_get v3.json .model_version.version) &&
	test_expect_code 1 pull "models:/bc/$v3" 2>e7 &&
	test_grep "stored at .gs://bucket/models/bc.*--serve-artifacts\\) or in S3" e7 &&
	root=$(json_get p1.json .source) &&
	curl -sf -H "Content-Type: application/json" -d "{\"name\":\"bc\",
		\"source\":\"${root%/model}/model/code\",\"run_id\":\"$rrun\"}" \
		"$u/api/2.0/mlflow/model-versions/create" >v4.json &&
	v4=$(json_get v4.json .model_version.version) &&
	test_expect_code 1 pull "models:/bc/$v4" 2>e8 &&
	test_grep "is not an MLflow model: no MLmodel file" e8 &&
	same_store
'

test_expect_success JQ 'a truncated download leaves nothing in the store' '
	counts >before.counts &&
	fake_stop fake &&
	fake_start short --short-downloads 1 &&
	(cd proj && mmp sync -q --tracking-uri "$(fake_url short)") &&
	test_expect_code 1 sh -c "cd other && mmp models pull --retries 0 \
		--tracking-uri $(fake_url short) models:/bc@champion" 2>e9 &&
	test_grep "download of .* is truncated: [0-9]* of the [0-9]* bytes" e9 &&
	same_store &&
	test "$(find other/.mmp/artifacts -name MLmodel | wc -l)" = \
		"$(sql $DB "SELECT count(*) FROM model_versions")"
'

test_done
