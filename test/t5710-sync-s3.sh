#!/bin/sh
# t5710-sync-s3: mmp sync to a tracking server whose artifact root is
# s3:// (no --serve-artifacts): the artifacts go straight into the bucket
# of a real S3-protocol server on loopback (s3rver), byte for byte,
# large ones in parts; bad credentials and an unreachable endpoint fail
# with the fix named, nothing is recorded as sent, and the secret is
# nowhere: not in any output, the store or the objects.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

DB=proj/.mmp/mmp.db

# push [sync options]: mmp sync --json to the fake server; output in
# push.json and push.err, the exit code returned
push() {
	(cd proj && mmp sync --tracking-uri "$(cat ../url)" --json "$@") \
		>push.json 2>push.err
}

test_expect_success S3RVER,JQ 'set up a trained run, s3rver and a server with an s3:// root' '
	mmp init -q proj &&
	(cd proj && mmp train --recipe recipes/breast-cancer.yaml --json \
		>../train.json) &&
	s3_start &&
	fake_start fake --mode artifacts-local \
		--artifact-location s3://mlflow/mlartifacts &&
	fake_url fake >url
'
s3_env

test_expect_success S3RVER,JQ 'without credentials the push stops at the first artifact' '
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		test_expect_code 1 push
	) &&
	test "$(json_get push.json .status)" = failed &&
	test "$(json_get push.json .error_class)" = s3-credentials &&
	test_grep "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them under \[default\] in $HOME/.aws/credentials" push.err &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts")" = 0 &&
	! test -d "$S3_DIR/mlflow/mlartifacts"
'

test_expect_success S3RVER,JQ 'a malformed credentials file: its line named, nothing sent' '
	printf "[default]\naws_access_key_id = %s\n%s\n" "$S3_KEY" \
		"$S3_SECRET" >bad-credentials &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		AWS_SHARED_CREDENTIALS_FILE=$PWD/bad-credentials \
			test_expect_code 1 push
	) &&
	test "$(json_get push.json .error_class)" = s3-config &&
	test_grep "bad-credentials:3: expected .key = value. or .\\[profile\\]." push.err &&
	! grep "$S3_SECRET" push.err push.json &&
	rm bad-credentials &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts")" = 0
'

test_expect_success S3RVER,JQ 'a wrong secret: SignatureDoesNotMatch, the fix, nothing sent' '
	AWS_SECRET_ACCESS_KEY=Wrong-secret-4c1e-never-shown \
	test_expect_code 1 push &&
	test "$(json_get push.json .error_class)" = SignatureDoesNotMatch &&
	test_grep "^error: .*upload artifact .* http 403 SignatureDoesNotMatch" push.err &&
	test_grep "fix the secret \\(from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\\)" push.err &&
	! grep -r "Wrong-secret-4c1e" push.json push.err proj &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts")" = 0 &&
	! test -d "$S3_DIR/mlflow/mlartifacts"
'

test_expect_success S3RVER,JQ 'an unreachable endpoint: retried as asked, then named' '
	start_bg gone listen 127.0.0.1 0 &&
	port=$(cat gone.port) &&
	stop_bg gone &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$port \
		test_expect_code 1 push --retries 1 &&
	test "$(json_get push.json .error_class)" = s3-unreachable &&
	test "$(json_get push.json .retries)" = 1 &&
	test_grep "cannot reach http://127.0.0.1:$port: .*\\(refused\\) after 2 attempts; check MLFLOW_S3_ENDPOINT_URL" push.err &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts")" = 0
'

test_expect_success S3RVER,JQ 'the push puts every artifact into the bucket, the model in parts' '
	MMP_S3_PART_SIZE=32768 push &&
	test "$(json_get push.json .status)" = ok &&
	test "$(json_get push.json .sent.artifacts)" = \
		"$(sql $DB "SELECT count(*) FROM artifacts")" &&
	test "$(json_get push.json .sent.artifact_bytes)" = \
		"$(sql $DB "SELECT sum(size) FROM artifacts")" &&
	fake_state fake state.json &&
	uri=$(jq -r ".runs[0].info.artifact_uri" state.json) &&
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	exp=$(jq -r ".runs[0].info.experiment_id" state.json) &&
	test "$uri" = "s3://mlflow/mlartifacts/$exp/$rid/artifacts" &&
	run=$(json_get train.json .run_id) &&
	dir=proj/.mmp/$(sql $DB "SELECT artifact_uri FROM runs") &&
	sql $DB "SELECT path FROM artifacts WHERE path != '\''model/MLmodel'\''
		ORDER BY path" >paths &&
	test_line_count -gt 5 paths &&
	while read -r p
	do
		cmp "$dir/$p" \
			"$(s3_object "mlartifacts/$exp/$rid/artifacts/$p")" ||
		return 1
	done <paths &&
	test "$(grep -c "^PUT /mlflow/mlartifacts/$exp/$rid/artifacts/model/model.ubj?partNumber=" s3.log)" = 3 &&
	test_grep "^POST /mlflow/mlartifacts/$exp/$rid/artifacts/model/model.ubj\\?uploadId=" s3.log
'

test_expect_success S3RVER,JQ 'the pushed MLmodel names the server run' '
	rid=$(jq -r ".runs[0].info.run_id" state.json) &&
	exp=$(jq -r ".runs[0].info.experiment_id" state.json) &&
	m=$(s3_object "mlartifacts/$exp/$rid/artifacts/model/MLmodel") &&
	test_grep "^run_id: $rid$" "$m" &&
	dir=proj/.mmp/$(sql $DB "SELECT artifact_uri FROM runs") &&
	grep -v "^run_id:" "$dir/model/MLmodel" >want &&
	grep -v "^run_id:" "$m" >got &&
	test_cmp want got
'

test_expect_success S3RVER,JQ 'a second push sends nothing' '
	: >s3.log &&
	push &&
	test "$(json_get push.json .sent.artifacts)" = 0 &&
	test_must_be_empty s3.log
'

test_expect_success S3RVER,JQ 'a new run resumes after a refused push' '
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.params.max_depth=2 --json >../train2.json) &&
	AWS_ACCESS_KEY_ID=AKIANOBODY test_expect_code 1 push &&
	test "$(json_get push.json .error_class)" = InvalidAccessKeyId &&
	test_grep "the server does not know this access key id" push.err &&
	push &&
	test "$(json_get push.json .status)" = ok &&
	run2=$(json_get train2.json .run_id) &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts
		WHERE run_uuid = '\''$run2'\''")" = \
		"$(sql $DB "SELECT count(*) FROM artifacts
		WHERE run_uuid = '\''$run2'\''")"
'

test_expect_success S3RVER,JQ 'credentials from a credential_process profile push too' '
	(cd proj && mmp train -q --recipe recipes/breast-cancer.yaml \
		--set model.params.max_depth=3 --json >../train3.json) &&
	# the secret is put together by the process, so that this script
	# holds it in no file
	half=$(printf %s "$S3_SECRET" | cut -c1-10) &&
	rest=$(printf %s "$S3_SECRET" | cut -c11-) &&
	mkdir -p "$HOME/.aws" &&
	cat >proc.sh <<-EOF &&
	#!/bin/sh
	printf "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s%s\"}" "$S3_KEY" "$half" "$rest"
	EOF
	chmod +x proc.sh &&
	printf "[profile ci]\ncredential_process = %s\n" "$PWD/proc.sh" \
		>"$HOME/.aws/config" &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		AWS_PROFILE=ci push
	) &&
	test "$(json_get push.json .status)" = ok &&
	run3=$(json_get train3.json .run_id) &&
	test "$(sql $DB "SELECT count(*) FROM sync_artifacts
		WHERE run_uuid = '\''$run3'\''")" = \
		"$(sql $DB "SELECT count(*) FROM artifacts
		WHERE run_uuid = '\''$run3'\''")"
'

test_expect_success S3RVER 'the secret is in no output, store file or object' '
	! grep -r -a -l "$S3_SECRET" . --exclude-dir=s3data \
		--exclude="*.log" &&
	! grep -r -a -l "$S3_SECRET" "$S3_DIR" &&
	! grep -a -l "$S3_SECRET" s3.log fake.log
'

test_done
