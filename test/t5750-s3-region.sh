#!/bin/sh
# t5750-s3-region: the S3 client's region: AWS_REGION, AWS_DEFAULT_REGION,
# the profile's region, then, for AWS itself, the EC2 instance's region
# from its metadata (IMDSv2: a session token, then placement/region, one
# attempt, 1 s), else us-east-1. AWS_EC2_METADATA_DISABLED=true and an
# S3-compatible endpoint (MLFLOW_S3_ENDPOINT_URL) keep the metadata from
# being asked. The metadata service is helpers/aws-meta.js on loopback;
# `s3-client info` makes no S3 request.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

if command -v node >/dev/null 2>&1; then
	test_set_prereq NODE
fi

KEY=AKIAMMPREGION0000001
SECRET='mmp-Region-Secret-51c0-never-printed'
TOK='FwoGZXIvYXdzEMMP//region+token=='

# meta NAME: the endpoint of aws-meta server NAME, with the metadata on
meta() {
	AWS_EC2_METADATA_DISABLED=false
	AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$TRASH_DIRECTORY/$1.port")"
	export AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT
}

# keys: credentials from the environment, AWS as the endpoint
keys() {
	AWS_ACCESS_KEY_ID=$KEY
	AWS_SECRET_ACCESS_KEY=$SECRET
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	unset MLFLOW_S3_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION
}

test_expect_success NODE 'start instance metadata servers' '
	aws_meta_start meta --give "$KEY:$SECRET:$TOK" --region eu-north-1 \
		--role mmp-instance-role &&
	aws_meta_start noregion --give "$KEY:$SECRET:$TOK" &&
	aws_meta_start badregion --give "$KEY:$SECRET:$TOK" \
		--region "EU_NORTH;1" &&
	mkdir -p "$HOME/.aws"
'

test_expect_success NODE 'no region set: the instance metadata names it' '
	: >meta.log &&
	( keys && meta meta && s3-client s3://mlflow/r info >info ) &&
	test_grep "^endpoint=https://mlflow.s3.eu-north-1.amazonaws.com$" info &&
	cat >expect <<-EOF &&
	PUT /latest/api/token
	GET /latest/meta-data/placement/region
	EOF
	test_cmp expect meta.log
'

test_expect_success NODE 'the region path wants the session token' '
	url=http://127.0.0.1:$(cat meta.port)/latest/meta-data/placement/region &&
	curl -s -o /dev/null -w "%{http_code}\n" "$url" >code &&
	echo 401 >expect &&
	test_cmp expect code &&
	t=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" \
		"http://127.0.0.1:$(cat meta.port)/latest/api/token") &&
	curl -s -H "X-aws-ec2-metadata-token: $t" "$url" >region &&
	printf eu-north-1 >expect &&
	test_cmp expect region
'

test_expect_success NODE 'AWS_REGION, AWS_DEFAULT_REGION and the profile come first' '
	printf "[default]\nregion = ap-south-1\n" >"$HOME/.aws/config" &&
	: >meta.log &&
	(
		keys && meta meta &&
		AWS_REGION=us-west-2 s3-client s3://mlflow/r info >env &&
		AWS_DEFAULT_REGION=ca-central-1 s3-client s3://mlflow/r info \
			>default &&
		s3-client s3://mlflow/r info >profile
	) &&
	test_grep "^endpoint=https://mlflow.s3.us-west-2.amazonaws.com$" env &&
	test_grep "^endpoint=https://mlflow.s3.ca-central-1.amazonaws.com$" default &&
	test_grep "^endpoint=https://mlflow.s3.ap-south-1.amazonaws.com$" profile &&
	test_must_be_empty meta.log &&
	rm "$HOME/.aws/config"
'

test_expect_success NODE 'AWS_EC2_METADATA_DISABLED=true: not asked, us-east-1' '
	: >meta.log &&
	(
		keys && meta meta &&
		AWS_EC2_METADATA_DISABLED=true s3-client s3://mlflow/r info \
			>off &&
		AWS_EC2_METADATA_DISABLED=TRUE s3-client s3://mlflow/r info \
			>off2
	) &&
	test_grep "^endpoint=https://mlflow.s3.us-east-1.amazonaws.com$" off &&
	test_cmp off off2 &&
	test_must_be_empty meta.log
'

test_expect_success NODE 'an S3-compatible endpoint: the metadata is not asked' '
	: >meta.log &&
	(
		keys && meta meta &&
		MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9 \
			s3-client s3://mlflow/r info >minio
	) &&
	test_grep "^endpoint=http://127.0.0.1:9$" minio &&
	test_must_be_empty meta.log
'

test_expect_success NODE 'no region there, a malformed one, or no service: us-east-1' '
	(
		keys &&
		meta noregion && s3-client s3://mlflow/r info >none &&
		meta badregion && s3-client s3://mlflow/r info >bad
	) &&
	test_grep "^endpoint=https://mlflow.s3.us-east-1.amazonaws.com$" none &&
	test_grep "^endpoint=https://mlflow.s3.us-east-1.amazonaws.com$" bad &&
	test_grep "^GET /latest/meta-data/placement/region$" noregion.log &&
	test_grep "^GET /latest/meta-data/placement/region$" badregion.log &&
	start_bg gone listen 127.0.0.1 0 &&
	port=$(cat gone.port) &&
	stop_bg gone &&
	start=$(date +%s) &&
	(
		keys && meta meta &&
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port \
			s3-client s3://mlflow/r info >gone
	) &&
	test $(($(date +%s) - start)) -lt 4 &&
	test_grep "^endpoint=https://mlflow.s3.us-east-1.amazonaws.com$" gone
'

test_expect_success NODE 'credentials and region both from the instance' '
	: >meta.log &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
			MLFLOW_S3_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION &&
		meta meta && s3-client s3://mlflow/r info >both
	) &&
	test_grep "^endpoint=https://mlflow.s3.eu-north-1.amazonaws.com$" both &&
	test_grep "^source=EC2 instance metadata \\(role mmp-instance-role\\)$" both &&
	! grep -e "$SECRET" -e "$TOK" both
'

test_done
