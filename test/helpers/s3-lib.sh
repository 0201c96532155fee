# SPDX-License-Identifier: MIT
# s3-lib.sh: a private S3 server for a test script: s3rver (installed by
# scripts/install-deps.sh from the npm registry) started through
# helpers/s3rver.js, on a free loopback port, keeping its objects in the
# scratch directory, with one access key. It is stopped when the script
# ends, passing, failing or killed.
#
#   . "$TEST_DIRECTORY/helpers/s3-lib.sh"
#   test_expect_success S3RVER 'start' 's3_start'
#   s3_env    (exports MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID and
#              AWS_SECRET_ACCESS_KEY for the bucket $S3_BUCKET)
#   s3_object KEY prints the path of the stored object's bytes.
#
# The prerequisite S3RVER is set when node can load s3rver.

S3_KEY=AKIAMMPTESTKEY000001
S3_SECRET='mmp-s3-Secret-7d41b2e9-never-printed'
S3_BUCKET=mlflow
S3_DIR="$TRASH_DIRECTORY/s3data"

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	S3_NODE_PATH=$(npm root -g 2>/dev/null)
	if test -n "$S3_NODE_PATH" &&
	   NODE_PATH="$S3_NODE_PATH" node -e 'require("s3rver")' \
		>/dev/null 2>&1; then
		test_set_prereq S3RVER
	fi
fi

# s3_start_server NAME [s3rver.js options...]: NAME.port gets the port;
# waits at most 30 s
s3_start_server() {
	name=$1
	shift
	# s3rver's continuation tokens use DES, in OpenSSL 3's legacy provider
	start_bg_within 30 "$name" env NODE_PATH="$S3_NODE_PATH" \
		node --openssl-legacy-provider \
		"$TEST_DIRECTORY/helpers/s3rver.js" \
		--dir "$S3_DIR" --key "$S3_KEY" --secret "$S3_SECRET" \
		--bucket "$S3_BUCKET" --log "$TRASH_DIRECTORY/$name.log" "$@"
}

# s3_start [s3rver.js options...]: the server `s3` (a test body runs in
# a subshell: call s3_env after it, at the top of the script)
s3_start() {
	mkdir -p "$S3_DIR" &&
	s3_start_server s3 "$@"
}

# s3_env: the environment the S3 client reads, for the server `s3`
s3_env() {
	test -s "$TRASH_DIRECTORY/s3.port" || return 0
	MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$(cat "$TRASH_DIRECTORY/s3.port")"
	AWS_ACCESS_KEY_ID=$S3_KEY
	AWS_SECRET_ACCESS_KEY=$S3_SECRET
	export MLFLOW_S3_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

s3_stop() {
	test -e s3.pid && stop_bg s3
	return 0
}

# s3_object KEY: the file s3rver keeps the object's bytes in
s3_object() {
	printf '%s\n' "$S3_DIR/$S3_BUCKET/$1._S3rver_object"
}

# aws_meta_start NAME [aws-meta.js options...]: the loopback stand-in for
# STS, instance and container metadata and SSO (helpers/aws-meta.js);
# NAME.port gets the port, NAME.log its requests
aws_meta_start() {
	name=$1
	shift
	start_bg_within 30 "$name" node "$TEST_DIRECTORY/helpers/aws-meta.js" \
		--log "$TRASH_DIRECTORY/$name.log" "$@"
}
