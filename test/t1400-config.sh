#!/bin/sh
# t1400-config: mmp config list/get: layers, origins, errors, --json

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup a project' '
	mkdir -p proj/.mmp proj/configs proj/sub/dir &&
	cat >proj/configs/base.yaml <<-\EOF &&
	# project defaults
	serve:
	  port: 9000
	  host: base-host
	experiment:
	  name: ${EXP_NAME:-churn}
	EOF
	cat >proj/configs/dev.yaml <<-\EOF
	serve:
	  host: dev-host
	  threads: 2
	EOF
'

test_expect_success 'list --show-origin shows every layer, exactly' '
	cat >expect <<-\EOF &&
	default	data.delimiter=,
	default	data.na_values=["", NA, "NaN", "null"]
	default	doctor.ports=[5000, 8000]
	file:configs/base.yaml:6	experiment.name=churn
	default	log.level=info
	file:configs/dev.yaml:2	serve.host=dev-host
	default	serve.max_body=8388608
	default	serve.max_per_client=64
	default	serve.monitor.enabled=true
	default	serve.monitor.flush_interval=60
	default	serve.monitor.id_field=
	default	serve.monitor.window=3600
	env:MMP_SERVE_PORT	serve.port=9100
	default	serve.request_timeout=30
	command line: -c serve.threads=4	serve.threads=4
	default	store.busy_timeout_ms=10000
	default	tracking.push=never
	default	tracking.uri=
	default	train.progress=auto
	default	train.threads=0
	EOF
	(cd proj/sub/dir && MMP_SERVE_PORT=9100 mmp -c serve.threads=4 \
		config --env dev list --show-origin) >actual &&
	test_cmp expect actual
'

test_expect_success 'precedence: base < env file < MMP_* < -c' '
	(cd proj && mmp config get serve.port) >out &&
	echo 9000 >expect && test_cmp expect out &&
	(cd proj && MMP_ENV=dev mmp config get serve.host) >out &&
	echo dev-host >expect && test_cmp expect out &&
	(cd proj && MMP_SERVE_PORT=9100 mmp config get serve.port) >out &&
	echo 9100 >expect && test_cmp expect out &&
	(cd proj && MMP_SERVE_PORT=9100 mmp -c serve.port=9200 \
		-c serve.port=9300 config get --show-origin serve.port) >out &&
	printf "command line: -c serve.port=9300\t9300\n" >expect &&
	test_cmp expect out
'

test_expect_success 'list without origins' '
	(cd proj && mmp config list) >out &&
	test_grep "^serve.port=9000$" out &&
	test_grep "^experiment.name=churn$" out &&
	test_line_count = 20 out
'

test_expect_success 'the project is found from --store' '
	mmp --store proj/.mmp config get serve.port >out &&
	echo 9000 >expect && test_cmp expect out
'

test_expect_success 'the user configuration is below configs/base.yaml' '
	mkdir -p "$XDG_CONFIG_HOME/mmp" &&
	printf "serve:\n  port: 7000\nlog:\n  level: debug\n" \
		>"$XDG_CONFIG_HOME/mmp/config.yaml" &&
	(cd proj && env -u MMP_CONFIG_NOSYSTEM mmp config list \
		--show-origin) >out &&
	test_grep "^file:configs/base.yaml:3	serve.port=9000$" out &&
	user="$XDG_CONFIG_HOME/mmp/config.yaml" &&
	test_grep "^file:$user:4	log.level=debug$" out &&
	(cd proj && mmp config get log.level) >out &&
	echo info >expect && test_cmp expect out
'

test_expect_success JQ 'list --json is one typed document' '
	(cd proj && mmp -c serve.port=9001 config list --json) >out.json &&
	test "$(json_get out.json .schema_version)" = 1 &&
	test "$(json_get out.json .env)" = null &&
	test "$(json_get out.json .project_dir)" = "$TRASH_DIRECTORY/proj" &&
	test "$(json_get out.json ".entries | length")" = 20 &&
	test "$(json_get out.json ".entries[] | select(.key == \"serve.port\") |
		.value")" = 9001 &&
	test "$(json_get out.json ".entries[] | select(.key == \"serve.port\") |
		.origin")" = "command line: -c serve.port=9001" &&
	test "$(json_get out.json ".entries[] |
		select(.key == \"doctor.ports\") | .value[1]")" = 8000 &&
	test "$(json_get out.json ".entries[] |
		select(.key == \"tracking.uri\") | .value")" = null
'

test_expect_success JQ 'get --json' '
	(cd proj && mmp config get --json serve.host) >out.json &&
	test "$(json_get out.json .key)" = serve.host &&
	test "$(json_get out.json .value)" = base-host &&
	test "$(json_get out.json .type)" = string &&
	test "$(json_get out.json .origin)" = file:configs/base.yaml:4
'

test_expect_success 'get of an unknown key suggests one, exit 1' '
	test_expect_code 1 mmp config get serve.prot 2>err &&
	echo "error: unknown configuration key '\''serve.prot'\''; did you mean '\''serve.port'\''?" >expect &&
	test_cmp expect err
'

test_expect_success 'get of a key without a value exits 1, prints nothing' '
	test_expect_code 1 mmp config get tracking.uri >out &&
	test_must_be_empty() { ! test -s "$1"; } &&
	test_must_be_empty out
'

test_expect_success '-c with an unknown key or a bad value lists all' '
	test_expect_code 1 mmp -c serv.port=1 -c serve.port=abc \
		-c serve.threads config list >out 2>err &&
	cat >expect <<-\EOF &&
	error: -c serv.port=1: unknown key '\''serv.port'\''; did you mean '\''serve.port'\''?
	error: -c serve.port=abc: serve.port: expected an integer between 0 and 65535, got '\''abc'\''
	error: -c serve.threads: expected <key>=<value>
	EOF
	test_cmp expect err &&
	! test -s out
'

test_expect_success 'every problem of a config file, with file:line:column' '
	mkdir bad && mkdir bad/configs &&
	cat >bad/configs/base.yaml <<-\EOF &&
	serve:
	  prot: 1
	  port: 70000
	  host: ${NOT_DEFINED_ANYWHERE}
	tracking:
	  push: sometimes
	EOF
	(cd bad && test_expect_code 1 mmp config list) 2>err &&
	cat >expect <<-\EOF &&
	error: configs/base.yaml:4:9: serve.host: undefined variable '\''NOT_DEFINED_ANYWHERE'\'' (set it, or write ${NOT_DEFINED_ANYWHERE:-default})
	error: configs/base.yaml:2:3: serve: unknown key '\''prot'\''; did you mean '\''port'\''?
	error: configs/base.yaml:3:9: serve.port: expected an integer between 0 and 65535, got '\''70000'\''
	error: configs/base.yaml:6:9: tracking.push: expected one of never, auto, got '\''sometimes'\''
	EOF
	test_cmp expect err
'

test_expect_success 'malformed YAML names the place' '
	mkdir -p yml/configs &&
	printf "serve:\n  port: 1\n host: x\n" >yml/configs/base.yaml &&
	(cd yml && test_expect_code 1 mmp config list) 2>err &&
	echo "error: configs/base.yaml:3:2: did not find expected key; check the indentation of line 3 and the lines above it: the keys of one mapping start in the same column, with spaces, and a '"'"':'"'"' is followed by a space" >expect &&
	test_cmp expect err
'

test_expect_success 'a bad MMP_* value names the variable' '
	(cd proj && MMP_SERVE_PORT=http test_expect_code 1 mmp config list) \
		2>err &&
	echo "error: env:MMP_SERVE_PORT: serve.port: expected an integer between 0 and 65535, got '\''http'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'an environment without its file is an error' '
	(cd proj && test_expect_code 1 mmp config --env staging list) 2>err &&
	echo "error: configs/staging.yaml: no configuration file for environment '\''staging'\''" >expect &&
	test_cmp expect err &&
	(cd proj && MMP_ENV=qa test_expect_code 1 mmp config list) 2>err &&
	test_grep "configs/qa.yaml: no configuration file" err
'

test_expect_success 'usage errors exit 129' '
	test_expect_code 129 mmp config &&
	test_expect_code 129 mmp config lst 2>err &&
	test_grep "did you mean '\''list'\''" err &&
	test_expect_code 129 mmp config get &&
	test_expect_code 129 mmp config list extra
'

test_expect_success 'credentials in a URL value are never shown' '
	mmp -c tracking.uri=http://bob:PW2@example.com:5000 config list \
		--show-origin >out &&
	mmp -c tracking.uri=http://bob:PW2@example.com:5000 config get \
		tracking.uri >>out &&
	mmp -c tracking.uri=http://bob:PW2@example.com:5000 config list \
		--json >>out &&
	! grep -q PW2 out &&
	test_grep "tracking.uri=http://\*\*\*@example.com:5000" out
'

test_expect_success JQ 'control characters in a value are escaped, not in --json' '
	mkdir -p esc/configs &&
	printf "experiment:\n  name: \"x\\\\e[31my\\\\a\"\n" \
		>esc/configs/base.yaml &&
	(cd esc && mmp config get --show-origin experiment.name >../out &&
	 mmp config list >>../out &&
	 mmp -c "serve.host=$(printf "h\033[2J")" config list \
		--show-origin >>../out &&
	 mmp config get --json experiment.name >../out.json) &&
	! grep -q "$(printf "\033")" out &&
	! grep -q "$(printf "\007")" out &&
	printf "file:configs/base.yaml:2\tx\\\\x1b[31my\\\\x07\n" >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual &&
	test_grep "^experiment.name=x.x1b\[31my.x07$" out &&
	test_grep "^command line: -c serve.host=h.x1b\[2J	serve.host=h.x1b\[2J$" out &&
	test "$(jq -r .value out.json)" = "$(printf "x\033[31my\007")"
'

test_expect_success 'an empty key is unknown, with no made-up suggestion' '
	mkdir -p emptykey/configs &&
	printf "serve:\n  port: 8000\n\"\":\n  level: warning\n" \
		>emptykey/configs/base.yaml &&
	(cd emptykey && test_expect_code 1 mmp config list) 2>err &&
	echo "error: configs/base.yaml:3:1: unknown key '\'\''" >expect &&
	test_cmp expect err
'

test_done
