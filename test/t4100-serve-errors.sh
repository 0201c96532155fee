#!/bin/sh
# t4100-serve-errors: every error status of mmp serve-api, in one JSON shape

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'set up a model and a server with a small body limit' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	serve_start s --model-dir churn --max-body 4k --log-file s.log
'

test_expect_success JQ 'malformed JSON: 400 naming the line and column' '
	test "$(post s /predict "{\"tenure\": 3,
  \"charges\": }")" = 400 &&
	test "$(json_get out .error.code)" = 400 &&
	test "$(json_get out .error.message)" = \
		"malformed JSON at line 2, column 14 (byte 27)"
'

test_expect_success JQ 'an empty body is malformed JSON' '
	test "$(post s /predict "")" = 400 &&
	test "$(json_get out .error.message)" = \
		"malformed JSON: the body is empty"
'

test_expect_success JQ 'a JSON value of the wrong shape: 400' '
	test "$(post s /predict "42")" = 400 &&
	json_get out .error.message | test_grep "expected a JSON object" - &&
	test "$(post s /predict "{\"records\": 3}")" = 400 &&
	json_get out .error.message | test_grep "records" -
'

test_expect_success JQ '422 lists every offending field with its problem' '
	test "$(post s /predict "{\"tenure\": \"abc\", \"charges\": true,
		\"plan\": \"gold\", \"regoin\": \"east\", \"churned\": \"no\"}")" \
		= 422 &&
	test "$(json_get out .error.code)" = 422 &&
	test "$(json_get out .error.message)" = "6 invalid fields" &&
	json_get out ".error.fields[] | \"\(.field): \(.problem)\"" >actual &&
	cat >expect <<-\EOT &&
	tenure: expected an integer, got "abc"
	charges: expected a number, got true
	plan: unknown category "gold" (known: "basic", "plus", "pro")
	regoin: unknown field (did you mean '"'"'region'"'"'?)
	churned: the target column is predicted, not sent
	region: missing (send null for a missing value)
	EOT
	test_cmp expect actual &&
	test "$(json_get out ".error.fields[0] | has(\"row\")")" = false
'

test_expect_success JQ 'in a list, problems name the row' '
	test "$(post s /predict "[{\"tenure\": 1, \"charges\": 2,
		\"plan\": \"pro\", \"region\": \"east\"},
		{\"tenure\": 1.5, \"charges\": 2, \"plan\": \"pro\",
		\"region\": \"east\"}, 7]")" = 422 &&
	json_get out ".error.fields[] | \"\(.row) \(.field): \(.problem)\"" \
		>actual &&
	cat >expect <<-\EOT &&
	1 tenure: expected an integer, got 1.5
	2 : expected an object of fields, got 7
	EOT
	test_cmp expect actual
'

test_expect_success JQ 'wrong types of every kind are named' '
	post s /predict "{\"tenure\": [1], \"charges\": {\"a\": 1},
		\"plan\": 3, \"region\": false, \"x\": 1}" &&
	json_get out ".error.fields[] | \"\(.field): \(.problem)\"" >actual &&
	cat >expect <<-\EOT &&
	tenure: expected an integer, got an array
	charges: expected a number, got an object
	plan: unknown category 3 (known: "basic", "plus", "pro")
	region: expected a category (a string), got false
	x: unknown field
	EOT
	test_cmp expect actual
'

test_expect_success JQ 'a duplicate field is an error' '
	test "$(post s /predict "{\"tenure\": 1, \"tenure\": 2, \"charges\": 2,
		\"plan\": \"pro\", \"region\": \"east\"}")" = 422 &&
	test "$(json_get out ".error.fields[0].problem")" = "duplicate field"
'

test_expect_success JQ 'more than 100 problems: the first 100 are listed' '
	{
		printf "["
		for i in $(seq 1 60); do printf "{\"a\":1},"; done
		printf "{\"a\":1}]"
	} >many.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @many.json)" = 422 &&
	test "$(json_get out ".error.fields | length")" = 100 &&
	test "$(json_get out .error.message)" = \
		"305 invalid fields (the first 100 are listed)"
'

test_expect_success JQ 'a body over --max-body: 413' '
	printf "[" >big.json &&
	for i in $(seq 1 100); do
		printf "{\"tenure\": 1, \"charges\": 2, \"plan\": \"pro\", \"region\": \"east\"}," || return 1
	done >>big.json &&
	printf "{}]" >>big.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @big.json)" = 413 &&
	test "$(json_get out .error.code)" = 413 &&
	test "$(json_get out .error.message)" = \
		"the request body is larger than the limit of 4096 bytes (see --max-body)"
'

test_expect_success JQ 'a chunked body over --max-body: 413 too' '
	test "$(req s POST /predict -H "Content-Type: application/json" \
		-H "Transfer-Encoding: chunked" --data-binary @big.json)" = 413 &&
	test "$(json_get out .error.code)" = 413
'

test_expect_success JQ 'a wrong method: 405 with Allow' '
	test "$(req s GET /predict)" = 405 &&
	test_grep "^Allow: POST" hdr &&
	test "$(json_get out .error.message)" = \
		"method GET is not allowed on /predict (allowed: POST)" &&
	test "$(req s DELETE /health)" = 405 &&
	test_grep "^Allow: GET, HEAD" hdr
'

test_expect_success JQ 'an unknown route: 404' '
	test "$(req s GET /predictions)" = 404 &&
	test "$(json_get out .error.code)" = 404 &&
	json_get out .error.message | test_grep "^no route ./predictions." -
'

test_expect_success JQ 'a wrong content type: 415' '
	test "$(req s POST /predict -H "Content-Type: text/plain" \
		--data-binary "{}")" = 415 &&
	test "$(json_get out .error.message)" = \
		"/predict takes '"'"'application/json'"'"', not '"'"'text/plain'"'"'" &&
	test "$(req s POST /predict -H "Content-Type: application/json; charset=utf-8" \
		--data-binary "[]")" = 200
'

test_expect_success 'errors are counted in /metrics and logged' '
	req s GET /metrics &&
	test_grep "^mmp_http_requests_total\{route=\"/predict\",status=\"422\"\} [0-9]+$" out &&
	test_grep "^mmp_http_requests_total\{route=\"/predict\",status=\"413\"\} 2$" out &&
	test_grep "^mmp_http_requests_total\{route=\"other\",status=\"404\"\} 1$" out &&
	test_grep "^mmp_rejected_rows_total [0-9]+$" out &&
	test_grep "\"POST /predict\" 413 " s.log &&
	test_grep "\"GET /predictions\" 404 " s.log
'

test_expect_success 'control bytes in a path do not reach the log' '
	req s GET "/a%0Ab%22c" &&
	test_grep "\"GET /a\?b\?c\" 404 " s.log
'

test_expect_success 'stop the server' '
	serve_stop s
'

test_expect_success 'a token file: start with it' '
	printf "s3cr3t-token\n" >token &&
	serve_start t --model-dir churn --token-file token --log-file t.log
'

test_expect_success JQ 'no token: 401 with WWW-Authenticate' '
	test "$(post t /predict "[]")" = 401 &&
	test_grep "^WWW-Authenticate: Bearer" hdr &&
	test "$(json_get out .error.message)" = \
		"this server needs '"'"'Authorization: Bearer <token>'"'"'"
'

test_expect_success JQ 'a wrong token: 401; the right one: 200' '
	test "$(req t POST /predict -H "Content-Type: application/json" \
		-H "Authorization: Bearer s3cr3t-tokeX" --data-binary "[]")" = 401 &&
	test "$(json_get out .error.message)" = "the bearer token is not valid" &&
	test "$(req t POST /predict -H "Content-Type: application/json" \
		-H "Authorization: Bearer s3cr3t-token-longer" --data-binary "[]")" = 401 &&
	test "$(req t POST /predict -H "Content-Type: application/json" \
		-H "Authorization: Bearer s3cr3t" --data-binary "[]")" = 401 &&
	test "$(req t POST /predict -H "Content-Type: application/json" \
		-H "Authorization: Bearer s3cr3t-token" --data-binary "[]")" = 200 &&
	test "$(req t GET /metrics -H "Authorization: bearer s3cr3t-token")" = 200
'

test_expect_success 'health and ping need no token; the token is never logged' '
	test "$(req t GET /health)" = 200 &&
	test "$(req t GET /ping)" = 200 &&
	test "$(req t GET /openapi.json)" = 401 &&
	test_grep -v "s3cr3t" t.log &&
	test_grep -v "s3cr3t" t.err &&
	serve_stop t
'

test_expect_success 'an empty or unreadable token file is an error naming it' '
	: >empty &&
	test_expect_code 1 mmp serve-api --model-dir churn --port 0 \
		--token-file empty 2>err &&
	test_grep "^error: .*token file .empty. is empty" err &&
	test_expect_code 1 mmp serve-api --model-dir churn --port 0 \
		--token-file no-such 2>err &&
	test_grep "^error: .*cannot read the token file: cannot open .no-such." err &&
	printf "two words\n" >two &&
	test_expect_code 1 mmp serve-api --model-dir churn --port 0 \
		--token-file two 2>err &&
	test_grep "token file .two. must hold one token on one line" err
'

test_expect_success 'usage errors exit 129' '
	test_expect_code 129 mmp serve-api 2>err &&
	test_grep "give exactly one of --model, --run and --model-dir" err &&
	test_expect_code 129 mmp serve-api --model-dir a --run b 2>err &&
	test_expect_code 129 mmp serve-api --model m@Production --run b 2>err &&
	test_expect_code 129 mmp serve-api --model-dir churn --port 70000 2>err &&
	test_grep "port must be between 0 and 65535" err &&
	test_expect_code 129 mmp serve-api --model-dir churn --threads -2 2>err &&
	test_expect_code 129 mmp serve-api --model-dir churn extra 2>err &&
	test_expect_code 128 mmp serve-api --model-dir churn --max-body 12x 2>err &&
	test_grep "max-body. expects a size in bytes" err
'

test_expect_success 'a model directory that is missing or broken: exit 1, named' '
	test_expect_code 1 mmp serve-api --model-dir nowhere --port 0 2>err &&
	test_grep "^error: cannot serve the model in .nowhere.: " err &&
	mkdir broken && echo "{" >broken/mmp-schema.json &&
	cp churn/model.ubj churn/MLmodel broken/ &&
	test_expect_code 1 mmp serve-api --model-dir broken --port 0 2>err &&
	test_grep "^error: cannot serve the model in .broken.: .*mmp-schema.json" err
'

test_expect_success 'a bad host is an error naming it' '
	test_expect_code 1 mmp serve-api --model-dir churn --port 0 \
		--host no.such.host.invalid 2>err &&
	test_grep "^error: cannot serve model churn on no.such.host.invalid port 0: cannot resolve host .no.such.host.invalid." err &&
	test_expect_code 1 mmp serve-api --model-dir churn --port 0 \
		--host 192.0.2.1 2>err &&
	test_grep "^error: cannot serve model churn on 192.0.2.1 port 0: .*address 192.0.2.1 is not an address of this machine" err
'

test_expect_success 'an unknown run or model: one error, no port opened' '
	mmp init -q lookup &&
	(cd lookup && test_expect_code 1 mmp serve-api --run zzzz --port 0 2>../err) &&
	test_line_count = 1 err &&
	test_grep "^error: cannot find run .zzzz." err &&
	(cd lookup && test_expect_code 1 mmp serve-api --model nosuch@Production \
		--port 0 2>../err) &&
	test_line_count = 1 err &&
	test_grep "^error: cannot find model .nosuch@Production." err
'

test_expect_success 'a made-up field name is echoed shortened' '
	(cd lookup && mmp train -q --recipe recipes/breast-cancer.yaml >../bcid) &&
	MMP_STORE="$PWD/lookup/.mmp" && export MMP_STORE &&
	serve_start bcsrv --run "$(cat bcid)" &&
	unset MMP_STORE &&
	{ printf "{\""; head -c 200000 /dev/zero | tr "\\000" x; printf "\": 1}"; } >big.json &&
	test "$(req bcsrv POST /predict -H "Content-Type: application/json" \
		--data-binary @big.json)" = 422 &&
	test "$(jq -r ".error.fields[0].field" out | wc -c)" -lt 80 &&
	serve_stop bcsrv
'

test_done
