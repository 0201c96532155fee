#!/bin/sh
# t6210-doctor-s3: mmp doctor looks at an s3:// artifact location through
# a real S3-protocol server on loopback (s3rver): reachable, credentials
# accepted, writable (a probe put and deleted), and the clock against the
# server's; each failure with the fix that applies, no secret shown.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

# doctor [options]: the artifacts check with --json into out.json
doctor() {
	mmp -c experiment.name=s3 doctor -v --check artifacts \
		--tracking-uri "$(cat url.txt)" --json "$@" >out.json
}

check() {
	jq -r ".checks[0].$1" out.json
}

test_expect_success S3RVER,JQ 'set up s3rver and a server whose root is s3://' '
	s3_start &&
	start_bg fake fake-tracking --mode artifacts-local --port 0 \
		--max-seconds 300 --artifact-location s3://mlflow/mlartifacts &&
	echo "http://127.0.0.1:$(cat fake.port)" >url.txt &&
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" -d "{\"name\":\"s3\"}" &&
	mmp init -q proj
'
s3_env

test_expect_success S3RVER,JQ 'a healthy bucket: ok, a probe written and deleted' '
	doctor &&
	test "$(check status)" = ok &&
	test "$(check summary)" = "artifact_location '\''s3://mlflow/mlartifacts/1'\'' is in S3: $MLFLOW_S3_ENDPOINT_URL answers, accepts the credentials and a probe object was written and deleted" &&
	test_grep "^PUT /mlflow/mlartifacts/1/.mmp-doctor-probe-[0-9a-f]{32}$" s3.log &&
	test_grep "^DELETE /mlflow/mlartifacts/1/.mmp-doctor-probe-[0-9a-f]{32}$" s3.log &&
	test -z "$(ls "$S3_DIR/mlflow/mlartifacts/1" 2>/dev/null)" &&
	jq -r ".checks[0].details[]" out.json >details &&
	test_grep "^credentials: from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$" details &&
	test_grep "^clock: [0-9]+ s (behind|ahead of) the S3 server.s Date$" details
'

test_expect_success S3RVER,JQ 'a wrong secret: fail, the fix, no secret shown' '
	AWS_SECRET_ACCESS_KEY=Doctor-wrong-secret test_expect_code 1 doctor &&
	test "$(check status)" = fail &&
	test "$(check summary)" = "the bucket does not answer a listing: http 403 SignatureDoesNotMatch" &&
	test "$(check fix)" = "the secret access key does not belong to the access key id: fix the secret (from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)" &&
	! grep -e Doctor-wrong-secret -e "$S3_SECRET" out.json
'

test_expect_success S3RVER,JQ 'an unknown key id: fail, the fix' '
	AWS_ACCESS_KEY_ID=AKIANOBODY test_expect_code 1 doctor &&
	test "$(check summary)" = "the bucket does not answer a listing: http 403 InvalidAccessKeyId" &&
	test_grep "use an access key id that http://127.0.0.1:[0-9]+ knows" out.json
'

test_expect_success S3RVER,JQ 'a missing bucket: fail, create it' '
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"nob\",\"artifact_location\":\"s3://no-such-bucket/x\"}" &&
	test_expect_code 1 mmp -c experiment.name=nob doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" --json >out.json &&
	test "$(check summary)" = "the bucket does not answer a listing: http 404 NoSuchBucket" &&
	test "$(check fix)" = "create the bucket (mc mb, or aws s3 mb s3://no-such-bucket), or fix the server'\''s artifact root"
'

test_expect_success S3RVER,JQ 'an endpoint where nothing listens: fail, the variable named' '
	start_bg gone listen 127.0.0.1 0 &&
	port=$(cat gone.port) &&
	stop_bg gone &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$port test_expect_code 1 doctor &&
	test "$(check summary)" = "the bucket does not answer a listing: http://127.0.0.1:$port does not answer" &&
	test "$(check fix)" = "start the S3 server, or set MLFLOW_S3_ENDPOINT_URL (now http://127.0.0.1:$port) to where it listens"
'

test_expect_success S3RVER,JQ 'a read-only key: it lists, the probe put is refused' '
	s3_start_server ro --read-only-key AKIAREADONLY:ro-Secret-never-shown &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$(cat ro.port) \
	AWS_ACCESS_KEY_ID=AKIAREADONLY AWS_SECRET_ACCESS_KEY=ro-Secret-never-shown \
		test_expect_code 1 doctor &&
	test "$(check summary)" = "the bucket is not writable: http 403 AccessDenied" &&
	test "$(check fix)" = "grant these credentials (from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) s3:ListBucket on bucket mlflow and s3:GetObject, s3:PutObject and s3:DeleteObject on s3://mlflow/mlartifacts/1/*" &&
	jq -r ".checks[0].details[]" out.json >details &&
	test_grep "^listing s3://mlflow/mlartifacts/1: the endpoint answers and accepts the credentials$" details &&
	! grep ro-Secret-never-shown out.json
'

test_expect_success S3RVER,JQ 'a clock 20 minutes off: fail, sync the clock' '
	s3_start_server skew --clock-offset 1200 &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$(cat skew.port) \
		test_expect_code 1 doctor &&
	test "$(check status)" = fail &&
	test "$(check summary)" = "the bucket does not answer a listing: http 403 RequestTimeTooSkewed" &&
	test "$(check fix)" = "this machine'\''s clock is more than 15 minutes off: sync it (timedatectl set-ntp true, or chronyc makestep)"
'

test_expect_success S3RVER,JQ 'a clock 7 minutes off: a warning, the bucket still works' '
	s3_start_server late --clock-offset 420 &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$(cat late.port) doctor &&
	test "$(check status)" = warn &&
	test "$(check summary)" = "this machine'\''s clock is 7 min behind the S3 server'\''s; signed requests fail beyond 15 min" &&
	test "$(check fix)" = "sync the clock (timedatectl set-ntp true, or chronyc makestep)" &&
	test_grep "a probe object s3://mlflow/mlartifacts/1/.mmp-doctor-probe-" out.json
'

test_expect_success S3RVER,JQ 'credentials from a credential_process: the source named' '
	mkdir -p "$HOME/.aws" &&
	cat >creds.sh <<-EOF &&
	#!/bin/sh
	printf "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\", \"Expiration\": \"2099-01-01T00:00:00Z\"}\n" "$S3_KEY" "$S3_SECRET"
	EOF
	chmod +x creds.sh &&
	printf "[profile team]\ncredential_process = %s\n" "$PWD/creds.sh" \
		>"$HOME/.aws/config" &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		AWS_PROFILE=team doctor
	) &&
	test "$(check status)" = ok &&
	jq -r ".checks[0].details[]" out.json >details &&
	test_grep "^credentials: from credential_process of profile .team. in $HOME/.aws/config$" details &&
	test_grep "^credentials: temporary, valid until 2099-01-01T00:00:00Z$" details &&
	! grep "$S3_SECRET" out.json
'

test_expect_success S3RVER,JQ 'a credential source that fails: fail, its message and the fix' '
	printf "[profile team]\ncredential_process = %s/missing-helper\n" "$PWD" \
		>"$HOME/.aws/config" &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		AWS_PROFILE=team test_expect_code 1 doctor
	) &&
	test "$(check status)" = fail &&
	test "$(check summary)" = "credential_process of profile '\''team'\'' in $HOME/.aws/config: cannot run '\''$PWD/missing-helper'\'': No such file or directory" &&
	test_grep "or a profile \\(AWS_PROFILE\\) in ~/.aws/credentials or ~/.aws/config with keys, a role, SSO or credential_process" out.json &&
	rm "$HOME/.aws/config"
'

test_done
