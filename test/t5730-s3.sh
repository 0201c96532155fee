#!/bin/sh
# t5730-s3: the S3 client against a real S3-protocol server on loopback
# (s3rver, with SigV4 checked by helpers/s3rver.js): objects land byte
# for byte, multipart uploads, listings, downloads checked, retries, and
# every refusal a clear error naming its fix, with no secret shown.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

test_expect_success S3RVER 'start s3rver' '
	s3_start
'
s3_env

test_expect_success S3RVER 'a put lands the exact bytes, signed' '
	printf "hello\000bytes\n" >small.bin &&
	s3-client s3://mlflow/art put "1/run one/a+b.bin" small.bin \
		2>put.err &&
	cmp small.bin "$(s3_object "art/1/run one/a+b.bin")" &&
	test_grep "requests=1 retries=0 multipart=0 parts=0" put.err &&
	test_grep "^PUT /mlflow/art/1/run%20one/a%2Bb.bin$" s3.log
'

test_expect_success S3RVER 'head gives the size and the MD5 ETag' '
	s3-client s3://mlflow/art head "1/run one/a+b.bin" >head.out &&
	echo "12 $(md5sum <small.bin | cut -d" " -f1)" >expect &&
	test_cmp expect head.out
'

test_expect_success S3RVER 'get brings the same bytes back' '
	s3-client s3://mlflow/art get "1/run one/a+b.bin" back.bin >got &&
	echo 12 >expect &&
	test_cmp expect got &&
	cmp small.bin back.bin
'

test_expect_success S3RVER 'a file over the part size goes up in parts' '
	head -c 300000 /dev/urandom >big.bin &&
	MMP_S3_PART_SIZE=65536 s3-client s3://mlflow/art put 1/r/big.bin \
		big.bin 2>mp.err &&
	test_grep "multipart=1 parts=5" mp.err &&
	cmp big.bin "$(s3_object art/1/r/big.bin)" &&
	test "$(grep -c "^PUT /mlflow/art/1/r/big.bin?partNumber=" s3.log)" = 5 &&
	test_grep "^POST /mlflow/art/1/r/big.bin\\?uploads=$" s3.log &&
	s3-client s3://mlflow/art get 1/r/big.bin big.back >/dev/null &&
	cmp big.bin big.back
'

test_expect_success S3RVER 'start a server that refuses part 2' '
	s3_start_server parts --refuse-part 2 &&
	echo "http://127.0.0.1:$(cat parts.port)" >parts.url
'

test_expect_success S3RVER 'a refused part aborts the multipart upload' '
	MMP_S3_PART_SIZE=65536 MLFLOW_S3_ENDPOINT_URL=$(cat parts.url) \
		test_expect_code 1 s3-client s3://mlflow/ab put big big.bin \
		2>err &&
	test_grep "upload to s3://mlflow/ab/big: part 2 of 5: http 403 AccessDenied" err &&
	id=$(sed -n "s|^PUT /mlflow/ab/big?partNumber=1&uploadId=||p" \
		parts.log) &&
	test "$(echo "$id" | grep -c "^[0-9a-f]\\{32\\}$")" = 1 &&
	test_grep "^DELETE /mlflow/ab/big\\?uploadId=$id$" parts.log &&
	! grep "partNumber=3" parts.log &&
	! test -e "$(s3_object ab/big)"
'

test_expect_success S3RVER 'an empty file and put-data' '
	: >empty &&
	s3-client s3://mlflow/art put 1/r/empty empty &&
	test_must_be_empty "$(s3_object art/1/r/empty)" &&
	s3-client s3://mlflow/art put-data 1/r/MLmodel "run_id: abc" &&
	printf "run_id: abc" >expect &&
	cmp expect "$(s3_object art/1/r/MLmodel)"
'

test_expect_success S3RVER 'list gives every object below a directory' '
	s3-client s3://mlflow/art list 1/r >list.out &&
	cat >expect <<-EOF &&
	MLmodel 11 $(printf "run_id: abc" | md5sum | cut -d" " -f1)
	big.bin 300000 $(sed -n "s/.*<ETag>&quot;\(.*\)&quot;.*/\1/p" /dev/null)
	empty 0 d41d8cd98f00b204e9800998ecf8427e
	EOF
	cut -d" " -f1,2 list.out >got.names &&
	cut -d" " -f1,2 expect >want.names &&
	test_cmp want.names got.names &&
	grep "^MLmodel " list.out >got.mlmodel &&
	grep "^MLmodel " expect >want.mlmodel &&
	test_cmp want.mlmodel got.mlmodel
'

test_expect_success S3RVER 'list pages through a truncated listing' '
	s3-client s3://mlflow/many put-data p/k0 x &&
	d="$S3_DIR/mlflow/many/p" &&
	i=1 &&
	while test $i -lt 1003
	do
		for f in object object.md5 metadata.json
		do
			cp "$d/k0._S3rver_$f" "$d/k$i._S3rver_$f" || return 1
		done
		i=$((i + 1))
	done &&
	s3-client s3://mlflow/many list p >many.out 2>many.err &&
	test_line_count = 1003 many.out &&
	test "$(grep -c " 1 9dd4e461268c8034f5c8564e155c67a6$" many.out)" = 1003 &&
	test_grep "requests=2 " many.err &&
	test_grep "continuation-token=" s3.log
'

test_expect_success S3RVER 'delete removes the object; a missing key is fine' '
	s3-client s3://mlflow/art delete 1/r/empty &&
	! test -e "$(s3_object art/1/r/empty)" &&
	s3-client s3://mlflow/art delete 1/r/never-there &&
	test_expect_code 1 s3-client s3://mlflow/art head 1/r/empty 2>err &&
	test_grep "look up s3://mlflow/art/1/r/empty: http 404" err
'

test_expect_success S3RVER 'a missing key: get fails and leaves no file' '
	test_expect_code 1 s3-client s3://mlflow/art get 1/r/nope out.bin 2>err &&
	test_grep "download s3://mlflow/art/1/r/nope: http 404 NoSuchKey" err &&
	! test -e out.bin
'

test_expect_success S3RVER 'a download larger than allowed fails' '
	test_expect_code 1 s3-client s3://mlflow/art get 1/r/big.bin cut.bin \
		1000 2>err &&
	test_grep "larger than the 1000 bytes expected" err &&
	! test -e cut.bin
'

test_expect_success S3RVER 'a missing bucket names the fix' '
	test_expect_code 1 s3-client s3://nobucket/x put k small.bin 2>err &&
	test_grep "NoSuchBucket" err &&
	test_grep "bucket .nobucket. does not exist at http://127.0.0.1:" err &&
	test_grep "create it, or fix the artifact location" err
'

test_expect_success S3RVER 'a wrong secret: SignatureDoesNotMatch and the fix' '
	AWS_SECRET_ACCESS_KEY=wrong-Secret-never-shown \
	test_expect_code 1 s3-client s3://mlflow/art put 1/x small.bin \
		2>err &&
	test_grep "http 403 SignatureDoesNotMatch" err &&
	test_grep "fix the secret \\(from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\\)" err &&
	! grep "wrong-Secret-never-shown" err &&
	! test -e "$(s3_object art/1/x)"
'

test_expect_success S3RVER 'an unknown access key id names the fix' '
	AWS_ACCESS_KEY_ID=AKIANOBODY \
	test_expect_code 1 s3-client s3://mlflow/art put 1/x small.bin \
		2>err &&
	test_grep "http 403 InvalidAccessKeyId" err &&
	test_grep "the server does not know this access key id" err &&
	! grep "$S3_SECRET" err
'

test_expect_success S3RVER 'credentials from ~/.aws/credentials' '
	mkdir -p "$HOME/.aws" &&
	printf "[other]\naws_access_key_id = nope\naws_secret_access_key = nope\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" \
		"$S3_KEY" "$S3_SECRET" >"$HOME/.aws/credentials" &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		s3-client s3://mlflow/art put-data 1/from-file yes &&
		AWS_PROFILE=other test_expect_code 1 s3-client s3://mlflow/art \
			put-data 1/from-other no 2>err &&
		test_grep "InvalidAccessKeyId" err &&
		test_grep "profile .other. in $HOME/.aws/credentials" err
	) &&
	test -f "$(s3_object art/1/from-file)" &&
	! test -e "$(s3_object art/1/from-other)"
'

test_expect_success S3RVER 'a malformed credentials file names its line' '
	printf "[default]\naws_access_key_id = %s\n%s\n" "$S3_KEY" \
		"$S3_SECRET" >bad-credentials &&
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		AWS_SHARED_CREDENTIALS_FILE=$PWD/bad-credentials \
		test_expect_code 1 s3-client s3://mlflow/art put-data 1/y y \
			2>err &&
		test_grep "bad-credentials:3: expected .key = value. or .\[profile\]." err &&
		! grep "$S3_SECRET" err
	)
'

test_expect_success S3RVER 'no credentials at all says where to put them' '
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
		rm -f "$HOME/.aws/credentials" &&
		test_expect_code 1 s3-client s3://mlflow/art put-data 1/z z \
			2>err &&
		test_grep "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them under \[default\] in $HOME/.aws/credentials" err
	)
'

test_expect_success S3RVER 'start a second server that wants a session token' '
	s3_start_server tok --token "Tok/en+session==" &&
	echo "http://127.0.0.1:$(cat tok.port)" >tok.url
'

test_expect_success S3RVER 'a session token is sent, signed, and checked' '
	MLFLOW_S3_ENDPOINT_URL=$(cat tok.url) \
	AWS_SESSION_TOKEN="Tok/en+session==" \
	s3-client s3://mlflow/tok put-data a yes &&
	MLFLOW_S3_ENDPOINT_URL=$(cat tok.url) \
	AWS_SESSION_TOKEN="expired-token" \
	test_expect_code 1 s3-client s3://mlflow/tok put-data b no 2>err &&
	test_grep "InvalidToken" err &&
	test_grep "get new temporary credentials \\(AWS_SESSION_TOKEN\\)" err &&
	! grep "expired-token" err
'

test_expect_success S3RVER 'start a server that answers 503 SlowDown twice' '
	s3_start_server slow --fail-first 2 &&
	echo "http://127.0.0.1:$(cat slow.port)" >slow.url
'

test_expect_success S3RVER 'SlowDown and 5xx are retried with backoff' '
	MLFLOW_S3_ENDPOINT_URL=$(cat slow.url) \
	s3-client s3://mlflow/slow put k small.bin 2>slow.err &&
	test_grep "requests=3 retries=2" slow.err &&
	cmp small.bin "$(s3_object slow/k)"
'

test_expect_success 'an endpoint where nothing listens names the variable' '
	start_bg gone listen 127.0.0.1 0 &&
	port=$(cat gone.port) &&
	stop_bg gone &&
	MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:$port \
	AWS_ACCESS_KEY_ID=AKIAX AWS_SECRET_ACCESS_KEY=never-shown-secret \
	test_expect_code 1 s3-client s3://mlflow/art put-data k v 2>err &&
	test_grep "cannot reach http://127.0.0.1:$port: .*\\(refused\\) after 4 attempts" err &&
	test_grep "check MLFLOW_S3_ENDPOINT_URL and that the S3 server runs there" err &&
	! grep never-shown-secret err
'

test_done
