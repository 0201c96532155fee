#!/bin/sh
# t5760-s3-mfa: a profile whose role wants an MFA code (mfa_serial). On a
# terminal the code is asked as the AWS CLI asks it, without echo, and
# goes to STS AssumeRole with the device's serial; the assumed role then
# signs a real upload. Without a terminal the profile is refused with
# the ways to get credentials non-interactively, unless the AWS CLI's
# role cache (~/.aws/cli/cache) holds this role's credentials, valid
# for more than 15 minutes. The terminal is a pty (helpers/pty-run);
# STS is helpers/aws-meta.js, the bucket s3rver.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

if /usr/bin/python3 -c 'import json, hashlib' 2>/dev/null; then
	test_set_prereq PY
fi

SRC_KEY=AKIAMMPSOURCE0000001
SRC_SECRET='mmp-Source-Secret-3f9a1c-never-printed'
TOK='FwoGZXIvYXdzEMMP//session+token=='
SERIAL=arn:aws:iam::111122223333:mfa/alice
ROLE=arn:aws:iam::111122223333:role/mfa-needed
PROMPT="Enter MFA code for $SERIAL: "
CR=$(printf "\r")

# the environment of the assumed role's upload: the bucket that wants
# the session token, STS on aws-meta, nothing from the environment
use() {
	MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$(cat "$TRASH_DIRECTORY/tok.port")"
	AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat "$TRASH_DIRECTORY/meta.port")"
	AWS_PROFILE=mfa
	export MLFLOW_S3_ENDPOINT_URL AWS_ENDPOINT_URL_STS AWS_PROFILE
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
}

# no secret, token or MFA code in these files
no_secrets() {
	for f in "$@"
	do
		if grep -e "$S3_SECRET" -e "$SRC_SECRET" -e "$TOK" \
			-e 402917 -e 771203 "$f"
		then
			echo "a secret in $f" >&2
			return 1
		fi
	done
}

# cli_cache FILE ARGS-JSON EXPIRATION: the AWS CLI's cache entry for
# these AssumeRole arguments, named as botocore names it
cli_cache() {
	/usr/bin/python3 - "$HOME/.aws/cli/cache" "$1" "$2" "$S3_KEY" \
		"$S3_SECRET" "$TOK" <<-\EOF
	import hashlib, json, os, sys
	d, args, exp, key, secret, tok = sys.argv[1:]
	name = hashlib.sha1(json.dumps(json.loads(args),
	    sort_keys=True).encode("utf-8")).hexdigest()
	os.makedirs(d, exist_ok=True)
	path = os.path.join(d, name + ".json")
	fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
	with os.fdopen(fd, "w") as f:
	    json.dump({"Credentials": {"AccessKeyId": key,
	        "SecretAccessKey": secret, "SessionToken": tok,
	        "Expiration": exp},
	        "AssumedRoleUser": {"AssumedRoleId": "AROAMMPTEST:x",
	            "Arn": "arn:aws:sts::111122223333:assumed-role/x/y"},
	        "ResponseMetadata": {"HTTPStatusCode": 200}}, f)
	print(path)
	EOF
}

test_expect_success S3RVER 'start s3rver wanting a token, and STS wanting the code' '
	s3_start &&
	s3_start_server tok --token "$TOK" &&
	aws_meta_start meta --give "$S3_KEY:$S3_SECRET:$TOK" \
		--key "$SRC_KEY:$SRC_SECRET" --mfa "$SERIAL:402917" &&
	mkdir -p "$HOME/.aws" &&
	cat >"$HOME/.aws/config" <<-EOF
	[profile base]
	aws_access_key_id = $SRC_KEY
	aws_secret_access_key = $SRC_SECRET
	[profile mfa]
	role_arn = $ROLE
	source_profile = base
	mfa_serial = $SERIAL
	[profile nomfa]
	role_arn = $ROLE
	source_profile = base
	EOF
'

test_expect_success S3RVER 'without the code the role is refused by STS' '
	(
		use &&
		AWS_PROFILE=nomfa test_expect_code 1 s3-client s3://mlflow/m \
			info 2>err
	) &&
	test_grep "AccessDenied" err
'

test_expect_success S3RVER 'on a terminal: the code is asked, not echoed, and signs the upload' '
	: >meta.log &&
	(
		use &&
		pty-run "$PROMPT" "402917$CR" \
			s3-client s3://mlflow/mfa put-data a yes >tty
	) &&
	test "$(s3_object mfa/a)" &&
	test "$(cat "$(s3_object mfa/a)")" = yes &&
	tr -d "\r" <tty >tty.txt &&
	grep -F "$PROMPT" tty.txt >/dev/null &&
	test "$(grep -c "Enter MFA code" tty.txt)" = 1 &&
	test_grep "^requests=1 " tty.txt &&
	test_grep "^AssumeRole by $SRC_KEY RoleArn=$ROLE RoleSessionName=mmp-session-[0-9]* SerialNumber=$SERIAL TokenCode=right$" meta.log &&
	no_secrets tty meta.log
'

test_expect_success S3RVER 'the source names the MFA, no secret shown' '
	(
		use &&
		pty-run "$PROMPT" "402917$CR" s3-client s3://mlflow/mfa info >tty
	) &&
	tr -d "\r" <tty >tty.txt &&
	test_grep "^source=role $ROLE \\(profile .mfa., assumed with profile .base. in $HOME/.aws/config and an MFA code\\)$" tty.txt &&
	no_secrets tty
'

test_expect_success S3RVER 'a wrong code: STS refuses it, nothing is uploaded' '
	: >meta.log &&
	(
		use &&
		test_expect_code 1 pty-run "$PROMPT" "771203$CR" \
			s3-client s3://mlflow/mfa put-data b no >tty
	) &&
	tr -d "\r" <tty >tty.txt &&
	test_grep "assume role $ROLE for profile .mfa. with profile .base. in $HOME/.aws/config and an MFA code .*: AccessDenied.*MultiFactorAuthentication failed with invalid MFA one time pass code" tty.txt &&
	test_grep "TokenCode=wrong$" meta.log &&
	test ! -e "$(s3_object mfa/b)" &&
	no_secrets tty meta.log
'

test_expect_success S3RVER 'not six digits, or cancelled: no request to STS' '
	: >meta.log &&
	(
		use &&
		test_expect_code 1 pty-run "$PROMPT" "12a456$CR" \
			s3-client s3://mlflow/mfa info >bad &&
		test_expect_code 1 pty-run "$PROMPT" "4029177$CR" \
			s3-client s3://mlflow/mfa info >long &&
		test_expect_code 1 pty-run "$PROMPT" "$(printf "12\003")" \
			s3-client s3://mlflow/mfa info >cancel
	) &&
	tr -d "\r" <bad >bad.txt &&
	tr -d "\r" <long >long.txt &&
	tr -d "\r" <cancel >cancel.txt &&
	test_grep "the MFA code for profile .mfa. must be the 6 digits the device shows" bad.txt &&
	test_grep "the MFA code for profile .mfa. must be the 6 digits the device shows" long.txt &&
	test_grep "the MFA code for profile .mfa. was cancelled" cancel.txt &&
	! grep -e 12a456 -e 4029177 bad.txt long.txt &&
	test_must_be_empty meta.log
'

test_expect_success S3RVER 'backspace edits the code' '
	: >meta.log &&
	(
		use &&
		pty-run "$PROMPT" "$(printf "40298\17717\r")" \
			s3-client s3://mlflow/mfa info >tty
	) &&
	test_grep "TokenCode=right$" meta.log
'

test_expect_success S3RVER 'no terminal: refused, saying how to get credentials' '
	: >meta.log &&
	(
		use &&
		test_expect_code 1 s3-client s3://mlflow/mfa info </dev/null \
			2>err
	) &&
	test_grep "profile .mfa. asks for an MFA code \\(mfa_serial $SERIAL\\), and there is no terminal to type it on: run aws sts get-caller-identity --profile mfa on a terminal first" err &&
	test_grep "aws sts get-session-token --serial-number $SERIAL --token-code CODE" err &&
	test_must_be_empty meta.log
'

test_expect_success S3RVER,PY 'no terminal: the AWS CLI cache of the role is used' '
	exp=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%S+00:00) &&
	f=$(cli_cache "{\"RoleArn\": \"$ROLE\", \"SerialNumber\": \"$SERIAL\"}" "$exp") &&
	: >meta.log &&
	(
		use &&
		s3-client s3://mlflow/mfa put-data c cached </dev/null 2>err &&
		s3-client s3://mlflow/mfa info </dev/null >info
	) &&
	test "$(cat "$(s3_object mfa/c)")" = cached &&
	test_grep "^source=role $ROLE \\(profile .mfa., MFA, from the AWS CLI.s cache $f\\)$" info &&
	test_must_be_empty meta.log &&
	no_secrets err info
'

test_expect_success S3RVER,PY 'the cache key holds the duration, external id and session name' '
	cat >>"$HOME/.aws/config" <<-EOF &&
	[profile full]
	role_arn = $ROLE
	source_profile = base
	mfa_serial = $SERIAL
	duration_seconds = 0900
	external_id = ext-42
	role_session_name = alice-laptop
	EOF
	exp=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ) &&
	f=$(cli_cache "{\"SerialNumber\": \"$SERIAL\", \"RoleArn\": \"$ROLE\",
		\"DurationSeconds\": 900, \"ExternalId\": \"ext-42\",
		\"RoleSessionName\": \"alice-laptop\"}" "$exp") &&
	(
		use &&
		AWS_PROFILE=full s3-client s3://mlflow/mfa info </dev/null >info
	) &&
	test_grep "^source=.*from the AWS CLI.s cache $f\\)$" info
'

test_expect_success S3RVER,PY 'an expiring, foreign-writable or broken cache entry is not used' '
	rm -r "$HOME/.aws/cli/cache" &&
	args="{\"RoleArn\": \"$ROLE\", \"SerialNumber\": \"$SERIAL\"}" &&
	f=$(cli_cache "$args" "$(date -u -d "+10 minutes" +%Y-%m-%dT%H:%M:%SZ)") &&
	( use && test_expect_code 1 s3-client s3://mlflow/mfa info </dev/null 2>err ) &&
	test_grep "there is no terminal to type it on" err &&
	f=$(cli_cache "$args" "$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)") &&
	chmod 664 "$f" &&
	( use && test_expect_code 1 s3-client s3://mlflow/mfa info </dev/null 2>err ) &&
	test_grep "there is no terminal to type it on" err &&
	chmod 600 "$f" &&
	echo "{\"Credentials\": 1}" >"$f" &&
	( use && test_expect_code 1 s3-client s3://mlflow/mfa info </dev/null 2>err ) &&
	test_grep "there is no terminal to type it on" err &&
	: >meta.log &&
	(
		use &&
		pty-run "$PROMPT" "402917$CR" s3-client s3://mlflow/mfa info >tty
	) &&
	test_grep "TokenCode=right$" meta.log
'

test_expect_success S3RVER 'a malformed mfa_serial is refused before anything is asked' '
	printf "[profile odd]\nrole_arn = %s\nsource_profile = base\nmfa_serial = not a serial\n" \
		"$ROLE" >>"$HOME/.aws/config" &&
	: >meta.log &&
	(
		use &&
		AWS_PROFILE=odd test_expect_code 1 pty-run "Enter" "402917$CR" \
			s3-client s3://mlflow/mfa info >tty
	) &&
	tr -d "\r" <tty >tty.txt &&
	test_grep "profile .odd.: mfa_serial must be an MFA device.s serial number or ARN" tty.txt &&
	! grep "Enter MFA" tty.txt &&
	test_must_be_empty meta.log
'

test_done
