#!/bin/sh
# t5740-s3-credentials: the S3 client finds credentials and region where
# the AWS CLI does (environment, web identity, the profile of ~/.aws/config
# and ~/.aws/credentials with roles, SSO and credential_process, container
# and instance metadata), says which source it used, renews temporary
# credentials, and never shows a secret. The S3 server is a real one
# (s3rver, signatures checked by helpers/s3rver.js), so credentials that
# are not the right ones really fail; STS, the metadata services and SSO
# are helpers/aws-meta.js on loopback.

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/s3-lib.sh"

SRC_KEY=AKIAMMPSOURCE0000001
SRC_SECRET='mmp-Source-Secret-3f9a1c-never-printed'
TOK='FwoGZXIvYXdzEMMP//session+token=='
WEB_TOKEN='eyJhbGciOiJSUzI1NiJ9.mmp-web-identity.sig'
ECS_TOKEN='mmp-ecs-Authorization-4b2d'
SSO_TOKEN='mmp-sso-access-token-aoJhbGciOi'

# no secret, token or the output of a credential process in these files
no_secrets() {
	for f in "$@"
	do
		if grep -e "$S3_SECRET" -e "$SRC_SECRET" -e "$TOK" \
			-e "$WEB_TOKEN" -e "$ECS_TOKEN" -e "$SSO_TOKEN" "$f"
		then
			echo "a secret in $f" >&2
			return 1
		fi
	done
}

# the environment without the keys s3_env exports, for the servers
# $1 (plain, with keys only) or tok (temporary credentials only)
use() {
	MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$(cat "$TRASH_DIRECTORY/$1.port")"
	export MLFLOW_S3_ENDPOINT_URL
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
}

test_expect_success S3RVER 'start s3rver, one that wants a token, aws-meta' '
	s3_start &&
	s3_start_server tok --token "$TOK" &&
	aws_meta_start meta --give "$S3_KEY:$S3_SECRET:$TOK" \
		--key "$SRC_KEY:$SRC_SECRET" --web-token "$WEB_TOKEN" \
		--ecs-token "$ECS_TOKEN" --sso-token "$SSO_TOKEN" \
		--role mmp-instance-role &&
	echo "http://127.0.0.1:$(cat meta.port)" >meta.url &&
	mkdir -p "$HOME/.aws"
'

test_expect_success S3RVER 'the [default] profile of ~/.aws/config: keys and region' '
	cat >"$HOME/.aws/config" <<-EOF &&
	# written by hand
	[default]
	region = eu-west-3
	aws_access_key_id = $S3_KEY
	aws_secret_access_key = $S3_SECRET
	s3 =
	  addressing_style = path
	  max_concurrent_requests = 4
	; another comment
	[profile other]
	region = ap-south-1
	EOF
	(
		use s3 &&
		s3-client s3://mlflow/cfg put-data a yes 2>err &&
		s3-client s3://mlflow/cfg info >info &&
		unset MLFLOW_S3_ENDPOINT_URL &&
		s3-client s3://mlflow/cfg info >aws-info &&
		AWS_REGION=us-west-2 s3-client s3://mlflow/cfg info >env-info
	) &&
	test -f "$(s3_object cfg/a)" &&
	test_grep "^source=profile .default. in $HOME/.aws/config$" info &&
	test_grep "^endpoint=https://mlflow.s3.eu-west-3.amazonaws.com$" aws-info &&
	test_grep "^endpoint=https://mlflow.s3.us-west-2.amazonaws.com$" env-info &&
	no_secrets err info
'

test_expect_success S3RVER 'AWS_PROFILE and AWS_DEFAULT_PROFILE pick [profile NAME]' '
	cat >>"$HOME/.aws/config" <<-EOF &&
	[profile  dev ]
	region = ca-central-1
	aws_access_key_id = $S3_KEY
	aws_secret_access_key = $S3_SECRET
	EOF
	(
		use s3 &&
		unset MLFLOW_S3_ENDPOINT_URL &&
		AWS_PROFILE=dev s3-client s3://mlflow/x info >p1 &&
		AWS_DEFAULT_PROFILE=dev s3-client s3://mlflow/x info >p2 &&
		AWS_PROFILE=dev AWS_DEFAULT_PROFILE=other \
			s3-client s3://mlflow/x info >p3
	) &&
	test_grep "^endpoint=https://mlflow.s3.ca-central-1.amazonaws.com$" p1 &&
	test_grep "^source=profile .dev. in $HOME/.aws/config$" p1 &&
	test_cmp p1 p2 &&
	test_cmp p1 p3
'

test_expect_success S3RVER 'the credentials file goes before the config file' '
	printf "[dev]\naws_access_key_id = AKIAFROMCREDENTIALS\naws_secret_access_key = x\n" \
		>"$HOME/.aws/credentials" &&
	(
		use s3 &&
		AWS_PROFILE=dev test_expect_code 1 s3-client s3://mlflow/cfg \
			put-data b no 2>err
	) &&
	test_grep "InvalidAccessKeyId" err &&
	test_grep "from profile .dev. in $HOME/.aws/credentials" err &&
	rm "$HOME/.aws/credentials"
'

test_expect_success S3RVER 'a profile that is nowhere names both files' '
	(
		use s3 &&
		AWS_PROFILE=nope test_expect_code 1 s3-client s3://mlflow/x \
			info 2>err
	) &&
	test_grep "no AWS credentials: profile .nope. \\(AWS_PROFILE\\) is in neither $HOME/.aws/credentials nor $HOME/.aws/config" err
'

test_expect_success S3RVER 'a bad line in the config file: file and line, no secret' '
	cat >bad-config <<-EOF &&
	[default]
	aws_access_key_id = $S3_KEY
	$S3_SECRET
	EOF
	(
		use s3 &&
		AWS_CONFIG_FILE=$PWD/bad-config test_expect_code 1 \
			s3-client s3://mlflow/x info 2>err
	) &&
	test_grep "bad-config:3: expected .key = value. or .\[profile\]." err &&
	no_secrets err &&
	printf "region = x\n[default]\n" >early &&
	(
		use s3 &&
		AWS_CONFIG_FILE=$PWD/early test_expect_code 1 \
			s3-client s3://mlflow/x info 2>err
	) &&
	test_grep "early:1: .key = value. before any \[section\]" err
'

test_expect_success S3RVER 'keys in the environment need no file' '
	(
		s3_env &&
		AWS_CONFIG_FILE=$PWD/bad-config AWS_REGION=us-east-1 \
			s3-client s3://mlflow/x info >info
	) &&
	test_grep "^source=AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$" info
'

# credential processes
cat >creds.sh <<EOF
#!/bin/sh
# a credential_process: its arguments say what to do
case "\$1" in
ok)
	test "\$2" = "two words" || { echo "bad argument: \$2" >&2; exit 3; }
	echo "a note from the process" >&2
	printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' \
		"$S3_KEY" "$S3_SECRET" ;;
temp)
	printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "2099-01-01T00:00:00Z"}\n' \
		"$S3_KEY" "$S3_SECRET" "$TOK" ;;
fail)
	echo "creds.sh: the vault is sealed" >&2
	exit 1 ;;
garbage)
	echo "AccessKeyId=$S3_KEY SecretAccessKey=$S3_SECRET" ;;
v2)
	printf '{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "%s"}\n' \
		"$S3_SECRET" ;;
nosecret)
	printf '{"Version": 1, "AccessKeyId": "a"}\n' ;;
slow)
	exec sleep 30 ;;
esac
EOF
chmod +x creds.sh

# process_profile ARGS: the [default] profile runs creds.sh ARGS
process_profile() {
	printf "[default]\nregion = us-east-1\ncredential_process = %s %s\n" \
		"$PWD/creds.sh" "$1" >"$HOME/.aws/config"
}

test_expect_success S3RVER 'credential_process: arguments split, no shell, stderr passed' '
	process_profile "ok \"two words\"" &&
	(
		use s3 &&
		s3-client s3://mlflow/proc put-data a yes >out 2>err &&
		s3-client s3://mlflow/proc info >info
	) &&
	test -f "$(s3_object proc/a)" &&
	test_grep "^a note from the process$" err &&
	test_grep "^source=credential_process of profile .default. in $HOME/.aws/config$" info &&
	no_secrets out err info
'

test_expect_success S3RVER 'credential_process with a session token and expiration' '
	process_profile temp &&
	(
		use tok &&
		s3-client s3://mlflow/proc put-data t yes 2>err
	) &&
	test -f "$(s3_object proc/t)" &&
	no_secrets err
'

test_expect_success S3RVER 'a session token refused before its time is renewed once' '
	cat >once.sh <<-EOF &&
	#!/bin/sh
	# the first answer carries a token the server refuses
	if test -e once.done
	then
		t="$TOK"
	else
		: >once.done
		t=revoked-token
	fi
	printf "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\", \"SessionToken\": \"%s\", \"Expiration\": \"2099-01-01T00:00:00Z\"}" "$S3_KEY" "$S3_SECRET" "\$t"
	EOF
	chmod +x once.sh &&
	printf "[default]\ncredential_process = %s\n" "$PWD/once.sh" \
		>"$HOME/.aws/config" &&
	(
		use tok &&
		s3-client s3://mlflow/proc put-data once yes 2>err
	) &&
	test -f "$(s3_object proc/once)" &&
	test_grep "^requests=2 retries=0 multipart=0 parts=0 refreshes=1$" err &&
	rm once.done &&
	printf "[default]\ncredential_process = %s fail\n" "$PWD/creds.sh" \
		>"$HOME/.aws/config" &&
	(
		use tok &&
		AWS_SESSION_TOKEN=never-renewed AWS_ACCESS_KEY_ID=$S3_KEY \
		AWS_SECRET_ACCESS_KEY=$S3_SECRET test_expect_code 1 \
			s3-client s3://mlflow/proc put-data k no 2>err
	) &&
	test_grep "http 400 InvalidToken: .*; the session token \\(from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\\) is not valid or has expired" err &&
	! test -e "$(s3_object proc/k)" &&
	cat >always.sh <<-EOF &&
	#!/bin/sh
	printf "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\", \"SessionToken\": \"revoked\", \"Expiration\": \"2099-01-01T00:00:00Z\"}" "$S3_KEY" "$S3_SECRET"
	EOF
	chmod +x always.sh &&
	printf "[default]\ncredential_process = %s\n" "$PWD/always.sh" \
		>"$HOME/.aws/config" &&
	(
		use tok &&
		test_expect_code 1 s3-client s3://mlflow/proc put-data k no 2>err
	) &&
	test_grep "http 400 InvalidToken: .*; the session token \\(from credential_process of profile .default. in $HOME/.aws/config\\) was refused again after it was renewed" err
'

test_expect_success S3RVER 'credential_process failures name the profile and the field' '
	process_profile fail &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep "^creds.sh: the vault is sealed$" err &&
	test_grep "credential_process of profile .default. in $HOME/.aws/config: exit status 1" err &&
	process_profile garbage &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep "credential_process of profile .default. in .*: the answer is not a JSON object" err &&
	no_secrets err &&
	! grep AccessKeyId= err &&
	process_profile v2 &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep ": .Version. must be 1$" err &&
	no_secrets err &&
	process_profile nosecret &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep ": no .SecretAccessKey. in the answer$" err &&
	printf "[default]\ncredential_process = %s \"open\n" "$PWD/creds.sh" \
		>"$HOME/.aws/config" &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep "credential_process of profile .default. in .*: a quote is not closed" err &&
	printf "[default]\ncredential_process = %s/no-such-program\n" "$PWD" \
		>"$HOME/.aws/config" &&
	( use s3 && test_expect_code 1 s3-client s3://mlflow/x info 2>err ) &&
	test_grep "cannot run .$PWD/no-such-program.: No such file" err
'

test_expect_success S3RVER 'a credential_process that hangs is stopped' '
	process_profile slow &&
	start=$(date +%s) &&
	(
		use s3 &&
		MMP_CREDENTIAL_PROCESS_TIMEOUT=1 test_expect_code 1 \
			s3-client s3://mlflow/x info 2>err
	) &&
	test $(($(date +%s) - start)) -lt 10 &&
	test_grep "credential_process of profile .default. in .*: no answer within 1 s, stopped" err
'

# roles
role_profiles() {
	cat >"$HOME/.aws/config" <<-EOF
	[default]
	region = eu-central-1
	[profile src]
	aws_access_key_id = $SRC_KEY
	aws_secret_access_key = ${1:-$SRC_SECRET}
	[profile deploy]
	role_arn = arn:aws:iam::123456789012:role/mmp-deploy
	source_profile = src
	external_id = ext-42
	duration_seconds = 1800
	role_session_name = ci-run
	[profile denied]
	role_arn = arn:aws:iam::123456789012:role/denied-role
	source_profile = src
	[profile envrole]
	role_arn = arn:aws:iam::123456789012:role/mmp-env
	credential_source = Environment
	[profile loop1]
	role_arn = arn:aws:iam::123456789012:role/a
	source_profile = loop2
	[profile loop2]
	role_arn = arn:aws:iam::123456789012:role/b
	source_profile = loop1
	[profile norole]
	role_arn = arn:aws:iam::123456789012:role/c
	EOF
}

test_expect_success S3RVER 'role_arn + source_profile: AssumeRole, signed with the source' '
	role_profiles &&
	: >meta.log &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_PROFILE=deploy s3-client s3://mlflow/role put-data a yes \
			2>err &&
		AWS_PROFILE=deploy s3-client s3://mlflow/role info >info
	) &&
	test -f "$(s3_object role/a)" &&
	test_grep "^AssumeRole by $SRC_KEY RoleArn=arn:aws:iam::123456789012:role/mmp-deploy ExternalId=ext-42 DurationSeconds=1800 RoleSessionName=ci-run$" meta.log &&
	test_grep "^source=role arn:aws:iam::123456789012:role/mmp-deploy \\(profile .deploy., assumed with profile .src. in $HOME/.aws/config\\)$" info &&
	no_secrets err info meta.log
'

test_expect_success S3RVER 'the STS endpoint follows AWS_ENDPOINT_URL too' '
	: >meta.log &&
	(
		use tok &&
		export AWS_ENDPOINT_URL=$(cat meta.url) &&
		AWS_PROFILE=deploy s3-client s3://mlflow/role put-data b yes
	) &&
	test_grep "^AssumeRole by $SRC_KEY" meta.log
'

test_expect_success S3RVER 'STS refusals: AccessDenied, a wrong source secret' '
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_PROFILE=denied test_expect_code 1 s3-client \
			s3://mlflow/role info 2>err
	) &&
	test_grep "http 403: assume role arn:aws:iam::123456789012:role/denied-role for profile .denied. with profile .src. in $HOME/.aws/config \\(STS at http://127.0.0.1:[0-9]*/\\): AccessDenied: User: arn:aws:iam::123456789012:user/mmp is not authorized" err &&
	role_profiles wrong-Source-Secret-never-shown &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_PROFILE=deploy test_expect_code 1 s3-client \
			s3://mlflow/role info 2>err
	) &&
	test_grep "SignatureDoesNotMatch" err &&
	! grep wrong-Source-Secret-never-shown err &&
	no_secrets err
'

test_expect_success S3RVER 'credential_source, cycles and incomplete role profiles' '
	role_profiles &&
	: >meta.log &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		S3_CLIENT_PROFILE=envrole AWS_ACCESS_KEY_ID=$SRC_KEY \
			AWS_SECRET_ACCESS_KEY=$SRC_SECRET \
			s3-client s3://mlflow/role put-data e yes 2>err &&
		AWS_PROFILE=loop1 test_expect_code 1 s3-client \
			s3://mlflow/role info 2>loop.err &&
		AWS_PROFILE=norole test_expect_code 1 s3-client \
			s3://mlflow/role info 2>norole.err
	) &&
	test -f "$(s3_object role/e)" &&
	test_grep "^AssumeRole by $SRC_KEY RoleArn=arn:aws:iam::123456789012:role/mmp-env" meta.log &&
	test_grep "goes round in a circle" loop.err &&
	test_grep "profile .norole. has role_arn but neither source_profile, credential_source nor web_identity_token_file" norole.err
'

test_expect_success S3RVER 'AWS_PROFILE with environment keys: the keys win' '
	(
		s3_env &&
		AWS_PROFILE=denied s3-client s3://mlflow/x info >info
	) &&
	test_grep "^source=AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$" info
'

test_expect_success S3RVER 'web identity from the environment: AssumeRoleWithWebIdentity' '
	printf "%s\n" "$WEB_TOKEN" >web-token &&
	: >meta.log &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/web-token \
		AWS_ROLE_ARN=arn:aws:iam::123456789012:role/eks-pod \
		AWS_ROLE_SESSION_NAME=pod-1 \
			s3-client s3://mlflow/web put-data a yes 2>err &&
		AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/web-token \
		AWS_ROLE_ARN=arn:aws:iam::123456789012:role/eks-pod \
			s3-client s3://mlflow/web info >info
	) &&
	test -f "$(s3_object web/a)" &&
	test_grep "^AssumeRoleWithWebIdentity RoleArn=arn:aws:iam::123456789012:role/eks-pod RoleSessionName=pod-1$" meta.log &&
	test_grep "^source=role arn:aws:iam::123456789012:role/eks-pod through a web identity token in $PWD/web-token \\(AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN\\)$" info &&
	printf "not-the-token\n" >bad-token &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/bad-token \
		AWS_ROLE_ARN=arn:aws:iam::123456789012:role/eks-pod \
		test_expect_code 1 s3-client s3://mlflow/web info 2>err
	) &&
	test_grep "http 400: web identity for role .*: InvalidIdentityToken" err &&
	no_secrets err info meta.log
'

test_expect_success S3RVER 'web_identity_token_file in a profile' '
	printf "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/eks-prof\nweb_identity_token_file = %s\n" \
		"$PWD/web-token" >"$HOME/.aws/config" &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_STS=$(cat meta.url) &&
		AWS_PROFILE=eks s3-client s3://mlflow/web put-data p yes
	) &&
	test -f "$(s3_object web/p)"
'

test_expect_success S3RVER 'container credentials with an authorization token file' '
	rm -f "$HOME/.aws/config" &&
	printf "%s\n" "$ECS_TOKEN" >ecs-token &&
	(
		use tok &&
		export AWS_CONTAINER_CREDENTIALS_FULL_URI=$(cat meta.url)/ecs/v2/creds &&
		AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PWD/ecs-token \
			s3-client s3://mlflow/ecs put-data a yes 2>err &&
		AWS_CONTAINER_AUTHORIZATION_TOKEN=$ECS_TOKEN \
			s3-client s3://mlflow/ecs info >info &&
		AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong test_expect_code 1 \
			s3-client s3://mlflow/ecs info 2>bad.err
	) &&
	test -f "$(s3_object ecs/a)" &&
	test_grep "^source=container credentials \\(AWS_CONTAINER_CREDENTIALS_FULL_URI\\)$" info &&
	test_grep "container credentials \\(AWS_CONTAINER_CREDENTIALS_FULL_URI\\): http 401: the authorization token" bad.err &&
	no_secrets err info bad.err
'

test_expect_success S3RVER 'AWS_CONTAINER_CREDENTIALS_FULL_URI: http on loopback only' '
	(
		use tok &&
		AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds \
		test_expect_code 1 s3-client s3://mlflow/ecs info 2>err
	) &&
	test_grep "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on a loopback address" err
'

test_expect_success S3RVER 'instance metadata (IMDSv2): token first, then the role' '
	: >meta.log &&
	(
		use tok &&
		AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=$(cat meta.url)/ \
			s3-client s3://mlflow/imds put-data a yes 2>err &&
		AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=$(cat meta.url) \
			s3-client s3://mlflow/imds info >info
	) &&
	test -f "$(s3_object imds/a)" &&
	test_grep "^source=EC2 instance metadata \\(role mmp-instance-role\\)$" info &&
	head -3 meta.log >first &&
	cat >expect <<-EOF &&
	PUT /latest/api/token
	GET /latest/meta-data/iam/security-credentials/
	GET /latest/meta-data/iam/security-credentials/mmp-instance-role
	EOF
	test_cmp expect first &&
	curl -s -o /dev/null -w "%{http_code}\n" \
		"$(cat meta.url)/latest/meta-data/iam/security-credentials/" >code &&
	echo 401 >expect &&
	test_cmp expect code &&
	no_secrets err info
'

test_expect_success S3RVER 'no instance metadata: a quick failure saying so' '
	start_bg gone listen 127.0.0.1 0 &&
	port=$(cat gone.port) &&
	stop_bg gone &&
	start=$(date +%s) &&
	(
		use tok &&
		AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port \
		test_expect_code 1 s3-client s3://mlflow/imds info 2>err
	) &&
	test $(($(date +%s) - start)) -lt 4 &&
	test_grep "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them under \[default\] in $HOME/.aws/credentials" err &&
	test_grep "no instance metadata at http://127.0.0.1:$port" err &&
	( use tok && test_expect_code 1 s3-client s3://mlflow/imds info 2>err ) &&
	test_grep "instance metadata is off \\(AWS_EC2_METADATA_DISABLED\\)" err
'

sso_cache() {
	# the AWS CLI names the cache file after the SHA-1 of the session
	mkdir -p "$HOME/.aws/sso/cache" &&
	f="$HOME/.aws/sso/cache/$(printf %s "$1" | sha1sum | cut -d" " -f1).json" &&
	printf "{\"startUrl\": \"https://d-90.awsapps.com/start\", \"region\": \"eu-west-1\", \"accessToken\": \"%s\", \"expiresAt\": \"%s\"}\n" \
		"$2" "$3" >"$f"
}

test_expect_success S3RVER 'SSO: the cached token buys role credentials' '
	cat >"$HOME/.aws/config" <<-EOF &&
	[profile sso]
	sso_session = corp
	sso_account_id = 123456789012
	sso_role_name = MLEngineer
	region = eu-west-1
	[sso-session corp]
	sso_start_url = https://d-90.awsapps.com/start
	sso_region = eu-west-1
	sso_registration_scopes = sso:account:access
	[profile legacy]
	sso_start_url = https://d-90.awsapps.com/legacy
	sso_region = eu-west-1
	sso_account_id = 123456789012
	sso_role_name = MLEngineer
	EOF
	sso_cache corp "$SSO_TOKEN" 2099-01-01T00:00:00Z &&
	sso_cache https://d-90.awsapps.com/legacy "$SSO_TOKEN" 2099-01-01T00:00:00UTC &&
	: >meta.log &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_SSO=$(cat meta.url) &&
		AWS_PROFILE=sso s3-client s3://mlflow/sso put-data a yes 2>err &&
		AWS_PROFILE=sso s3-client s3://mlflow/sso info >info
	) &&
	test -f "$(s3_object sso/a)" &&
	test_grep "^GET /federation/credentials$" meta.log &&
	test_grep "^source=SSO \\(profile .sso., account 123456789012, role MLEngineer\\)$" info &&
	no_secrets err info
'

test_expect_success S3RVER 'SSO: an expired or refused token says to log in again' '
	sso_cache corp "$SSO_TOKEN" 2020-01-01T00:00:00Z &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_SSO=$(cat meta.url) &&
		AWS_PROFILE=sso test_expect_code 1 s3-client s3://mlflow/sso \
			info 2>err
	) &&
	test_grep "SSO for profile .sso.: the SSO token expired at 2020-01-01T00:00:00Z: run aws sso login --profile sso" err &&
	sso_cache corp not-the-token 2099-01-01T00:00:00Z &&
	(
		use tok &&
		export AWS_ENDPOINT_URL_SSO=$(cat meta.url) &&
		AWS_PROFILE=sso test_expect_code 1 s3-client s3://mlflow/sso \
			info 2>err
	) &&
	test_grep "http 401: the SSO portal refused the token .*: run aws sso login --profile sso" err &&
	rm -r "$HOME/.aws/sso" &&
	(
		use tok &&
		AWS_PROFILE=sso test_expect_code 1 s3-client s3://mlflow/sso \
			info 2>err
	) &&
	test_grep "SSO for profile .sso.: no SSO token \\(.*\\): run aws sso login --profile sso" err
'

test_expect_success S3RVER 'temporary credentials are renewed before they expire' '
	aws_meta_start short --give "$S3_KEY:$S3_SECRET:$TOK" --ttl 120 &&
	head -c 300000 /dev/urandom >big.bin &&
	(
		use tok &&
		AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$(cat short.port) \
		MMP_S3_PART_SIZE=65536 s3-client s3://mlflow/renew put big big.bin \
			2>err
	) &&
	cmp big.bin "$(s3_object renew/big)" &&
	test_grep "requests=7 .* refreshes=7$" err &&
	test "$(grep -c "^PUT /latest/api/token$" short.log)" = 8
'

test_done
