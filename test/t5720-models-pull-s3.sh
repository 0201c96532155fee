#!/bin/sh
# t5720-models-pull-s3: mmp models pull of versions whose files are at an
# s3:// location (a tracking server without --serve-artifacts), straight
# from a real S3-protocol server on loopback (s3rver): the bytes checked
# against the listing and the ETag, nothing transferred twice, and
# nothing left in the store when S3 refuses or a file is corrupt.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

DB=other/.mmp/mmp.db

pull() {
	(cd other && mmp models pull --tracking-uri "$(fake_url fake)" \
		--retries 1 "$@")
}

counts() {
	echo "$(sql $DB "SELECT count(*) FROM model_versions")" \
		"$(sql $DB "SELECT count(*) FROM runs")" \
		"$(sql $DB "SELECT count(*) FROM artifacts")" \
		"$(find other/.mmp/artifacts -type f | wc -l)"
}

same_store() {
	counts >after.counts &&
	test_cmp before.counts after.counts &&
	test -z "$(ls other/.mmp/tmp 2>/dev/null)"
}

test_expect_success S3RVER,JQ 'set up: a version pushed to a server with an s3:// root' '
	s3_start &&
	mmp init -q proj &&
	(cd proj &&
	 mmp train -q --recipe recipes/breast-cancer.yaml >../run1 &&
	 mmp register "$(cat ../run1)" --name bc >/dev/null &&
	 mmp alias bc champion 1 >/dev/null) &&
	fake_start fake --mode artifacts-local \
		--artifact-location s3://mlflow/mlartifacts &&
	mmp init -q other
'
s3_env

test_expect_success S3RVER,JQ 'the push registers the version with its s3:// source' '
	(cd proj && mmp sync -q --tracking-uri "$(fake_url fake)") &&
	fake_state fake state.json &&
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	exp=$(jq -r ".runs[0].info.experiment_id" state.json) &&
	echo "s3://mlflow/mlartifacts/$exp/$rid/artifacts/model" >source &&
	test "$(jq -r ".models[0].versions[0].source" state.json)" = \
		"$(cat source)"
'

test_expect_success S3RVER,JQ 'without credentials the pull fails and keeps nothing' '
	counts >before.counts &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		test_expect_code 1 pull models:/bc@champion 2>e1
	) &&
	test_grep "^error: .*no AWS credentials: set AWS_ACCESS_KEY_ID" e1 &&
	same_store
'

test_expect_success S3RVER,JQ 'a wrong secret fails with the fix, nothing kept' '
	AWS_SECRET_ACCESS_KEY=Wrong-pull-secret-never-shown \
	test_expect_code 1 pull models:/bc@champion 2>e2 &&
	test_grep "SignatureDoesNotMatch" e2 &&
	test_grep "fix the secret" e2 &&
	! grep "Wrong-pull-secret" e2 &&
	same_store
'

test_expect_success S3RVER,JQ 'pull models:/bc@champion from the bucket' '
	: >s3.log &&
	pull models:/bc@champion --json >p1.json &&
	test "$(json_get p1.json .remote_version)" = 1 &&
	test "$(json_get p1.json .source)" = "$(cat source)" &&
	test "$(json_get p1.json .already_pulled)" = false &&
	n=$(sql proj/.mmp/mmp.db "SELECT count(*) FROM artifacts
		WHERE path LIKE '\''model/%'\''") &&
	test "$(json_get p1.json .files)" = "$n" &&
	test "$(sql $DB "SELECT count(*) FROM model_versions")" = 1 &&
	test_grep "^GET /mlflow\\?continuation-token=|^GET /mlflow\\?list-type=2&prefix=mlartifacts%2F" s3.log &&
	test "$(grep -c "^GET /mlflow/mlartifacts/" s3.log)" = "$n" &&
	dir=$(json_get p1.json .model_dir) &&
	src=proj/.mmp/$(sql proj/.mmp/mmp.db "SELECT artifact_uri FROM runs") &&
	for f in model.ubj mmp-schema.json profile.json conda.yaml
	do
		cmp "$src/model/$f" "$dir/$f" || return 1
	done &&
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	test_grep "^run_id: $rid$" "$dir/MLmodel"
'

test_expect_success S3RVER,JQ 'the pulled version predicts as the original' '
	head -n 20 proj/recipes/data/breast_cancer.csv >rows.csv &&
	(cd proj && mmp batch-inference --model bc@v1 --input ../rows.csv \
		--output ../want.csv) &&
	mmp --store other/.mmp batch-inference --model bc@v1 --input rows.csv \
		--output got.csv &&
	test_line_count = 20 got.csv &&
	test_cmp want.csv got.csv
'

test_expect_success S3RVER,JQ 'pulling it again transfers nothing' '
	: >s3.log &&
	pull models:/bc/1 --json >p2.json &&
	test "$(json_get p2.json .already_pulled)" = true &&
	test_must_be_empty s3.log
'

test_expect_success S3RVER,JQ 'a runs:/ source is read from its run'"'"'s s3:// root' '
	u=$(fake_url fake) &&
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	curl -sf -H "Content-Type: application/json" -d "{\"name\":\"bc\",
		\"source\":\"runs:/$rid/model\",\"run_id\":\"$rid\"}" \
		"$u/api/2.0/mlflow/model-versions/create" >v2.json &&
	test "$(json_get v2.json .model_version.version)" = 2 &&
	pull models:/bc/2 --as bc-runs --json >p3.json &&
	test "$(json_get p3.json .source)" = "runs:/$rid/model" &&
	cmp "$(json_get p1.json .model_dir)/model.ubj" \
		"$(json_get p3.json .model_dir)/model.ubj"
'

test_expect_success S3RVER,JQ 'a corrupt object in the bucket is refused, nothing kept' '
	counts >before.counts &&
	src=$(cat source) &&
	obj=$(s3_object "${src#s3://mlflow/}/model.ubj") &&
	cp "$obj" obj.save &&
	printf "XXXX" | dd of="$obj" bs=1 seek=100 conv=notrunc 2>/dev/null &&
	test_expect_code 1 pull models:/bc/1 --as bc-corrupt 2>e3 &&
	test_grep "model.ubj: the bytes received do not match the object.s ETag" e3 &&
	cp obj.save "$obj" &&
	same_store
'

test_expect_success S3RVER,JQ 'a missing bucket is named' '
	counts >before.counts &&
	u=$(fake_url fake) &&
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	curl -sf -H "Content-Type: application/json" -d "{\"name\":\"bc\",
		\"source\":\"s3://gone-bucket/m\",\"run_id\":\"$rid\"}" \
		"$u/api/2.0/mlflow/model-versions/create" >v3.json &&
	test_expect_code 1 pull models:/bc/3 --as bc-gone 2>e4 &&
	test_grep "bucket .gone-bucket. does not exist at http://127.0.0.1:" e4 &&
	same_store
'

test_done
