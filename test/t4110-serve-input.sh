#!/bin/sh
# t4110-serve-input: hostile request values: every answer is valid UTF-8
# JSON, and numbers a model cannot read are refused naming the field

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

# utf8_ok FILE: the bytes of FILE are well-formed UTF-8
utf8_ok() {
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# a string of N copies of CHAR
rep() {
	printf "%${2}s" "" | tr " " "$1"
}

test_expect_success 'set up a model and a server' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	serve_start s --model-dir churn
'

test_expect_success JQ 'a long value is cut on a character boundary' '
	# 39 ASCII bytes, then a 2-byte character across byte 40
	printf "{\"tenure\": \"%s\303\251\", \"charges\": 1, \"plan\": \"pro\",
		\"region\": \"east\"}" "$(rep a 39)" >long.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @long.json)" = 422 &&
	utf8_ok out &&
	test "$(json_get out ".error.fields[0].problem")" = \
		"expected an integer, got \"$(rep a 39)\"..."
'

test_expect_success JQ 'a value cut exactly at a boundary keeps the character' '
	printf "{\"tenure\": \"%s\303\251x\", \"charges\": 1, \"plan\": \"pro\",
		\"region\": \"east\"}" "$(rep a 38)" >long.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @long.json)" = 422 &&
	utf8_ok out &&
	printf "expected an integer, got \"%s\303\251\"...\n" "$(rep a 38)" \
		>expect &&
	json_get out ".error.fields[0].problem" >actual &&
	test_cmp expect actual
'

test_expect_success JQ 'a long field name is cut on a character boundary' '
	# 63 ASCII bytes, then a 3-byte character across byte 64
	printf "{\"%s\342\202\254\": 1}" "$(rep b 63)" >name.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @name.json)" = 422 &&
	utf8_ok out &&
	test "$(json_get out ".error.fields[0].field")" = "$(rep b 63)..."
'

test_expect_success JQ 'invalid UTF-8 the client sent comes back as U+FFFD' '
	printf "{\"x\377y\": 1, \"plan\": \"\300\257\", \"tenure\": \"\355\240\200\",
		\"charges\": 1, \"region\": \"east\"}" >bad.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @bad.json)" = 422 &&
	utf8_ok out &&
	json_get out ".error.fields[] | \"\(.field): \(.problem)\"" >actual &&
	printf "%s\n" \
		"x$(printf "\357\277\275")y: unknown field" \
		"plan: unknown category \"$(printf "\357\277\275\357\277\275")\" (known: \"basic\", \"plus\", \"pro\")" \
		"tenure: expected an integer, got \"$(printf "\357\277\275\357\277\275\357\277\275")\"" \
		>expect &&
	test_cmp expect actual
'

test_expect_success JQ 'control characters are escaped, never raw' '
	printf "{\"a\\\\u001b[31mb\": 1, \"tenure\": 1, \"charges\": 1,
		\"plan\": \"pro\", \"region\": \"east\"}" >ctl.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @ctl.json)" = 422 &&
	test_grep "\"field\":\"a\\\\u001b\[31mb\"" out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success JQ 'an entity echoed in a prediction is valid UTF-8' '
	printf "{\"customer_id\": \"c\377\", \"tenure\": 1, \"charges\": 1,
		\"plan\": \"pro\", \"region\": \"east\"}" >ent.json &&
	test "$(req s POST /predict -H "Content-Type: application/json" \
		--data-binary @ent.json)" = 200 &&
	utf8_ok out &&
	test "$(json_get out ".predictions[0].customer_id")" = \
		"c$(printf "\357\277\275")"
'

test_expect_success JQ 'a path with invalid UTF-8: the 404 is valid UTF-8' '
	test "$(req s GET "/no%ffroute")" = 404 &&
	utf8_ok out &&
	json_get out .error.message | test_grep "^no route ./no.*route." -
'

test_expect_success JQ 'MLflow messages are valid UTF-8 too' '
	printf "{\"dataframe_records\": [{\"x\377\": 1}]}" >mb.json &&
	test "$(req s POST /invocations -H "Content-Type: application/json" \
		--data-binary @mb.json)" = 400 &&
	utf8_ok out &&
	test "$(req s POST /invocations -H "Content-Type: text/x$(printf "\377")" \
		--data-binary "a")" = 415 &&
	utf8_ok out
'

test_expect_success JQ 'JSON numbers past the float range: 422 naming the field' '
	post s /predict "{\"tenure\": 1e999, \"charges\": -1e999,
		\"plan\": \"pro\", \"region\": \"east\"}" >code &&
	test "$(cat code)" = 422 &&
	json_get out ".error.fields[] | \"\(.field): \(.problem)\"" >actual &&
	cat >expect <<-\EOT &&
	tenure: Infinity is out of range (a number is at most 3.40282347e+38 in magnitude)
	charges: -Infinity is out of range (a number is at most 3.40282347e+38 in magnitude)
	EOT
	test_cmp expect actual
'

test_expect_success JQ 'a finite double a float cannot hold is out of range' '
	test "$(post s /predict "[{\"tenure\": 1, \"charges\": 1e39,
		\"plan\": \"pro\", \"region\": \"east\"}]")" = 422 &&
	test "$(json_get out ".error.fields[0] | \"\(.row) \(.field): \(.problem)\"")" = \
		"0 charges: 1e+39 is out of range (a number is at most 3.40282347e+38 in magnitude)" &&
	test "$(post s /predict "{\"tenure\": 1, \"charges\": 3.4e38,
		\"plan\": \"pro\", \"region\": \"east\"}")" = 200
'

test_expect_success JQ 'out of range over /invocations, JSON and CSV' '
	test "$(post s /invocations "{\"dataframe_split\": {\"columns\":
		[\"tenure\", \"charges\", \"plan\", \"region\"],
		\"data\": [[1e999, 1, \"pro\", \"east\"]]}}")" = 400 &&
	json_get out .message | test_grep "tenure.*Infinity is out of range" - &&
	printf "tenure,charges,plan,region\n1,1e999,pro,east\n" >inf.csv &&
	test "$(req s POST /invocations -H "Content-Type: text/csv" \
		--data-binary @inf.csv)" = 400 &&
	json_get out .message | test_grep "charges.*\"1e999\" is out of range" - &&
	printf "tenure,charges,plan,region\ninf,1,pro,east\n" >inf.csv &&
	test "$(req s POST /invocations -H "Content-Type: text/csv" \
		--data-binary @inf.csv)" = 400 &&
	json_get out .message | test_grep "tenure.*\"inf\" is out of range" -
'

test_expect_success JQ 'a request target past 8 KiB: 414 in JSON, closed' '
	test "$(req s GET "/$(rep a 70000)")" = 414 &&
	test_grep "^Content-Type: application/json" hdr &&
	test_grep "^Connection: close" hdr &&
	test "$(json_get out .error.code)" = 414 &&
	test "$(json_get out .error.message)" = \
		"the request target is 70001 bytes, longer than the limit of 8192"
'

test_expect_success JQ 'a request head past 32 KiB: 431 in JSON, closed' '
	test "$(req s POST /predict -H "Content-Type: application/json" \
		-H "X-Big: $(rep b 70000)" --data-binary "{}")" = 431 &&
	test_grep "^Content-Type: application/json" hdr &&
	test_grep "^Connection: close" hdr &&
	test "$(json_get out .error.code)" = 431 &&
	json_get out .error.message |
	test_grep "^the request head is [0-9]+ bytes, larger than the limit of 32768$" - &&
	test "$(req s GET /health)" = 200
'

test_expect_success 'stop the server' '
	serve_stop s
'

test_done
