#!/bin/sh
# t4120-serve-abuse: slow clients, floods from one address, exposed
# servers: serve-api stays up and says what it does

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

# flood_field NAME: a number from slow-client's report in flood.out
flood_field() {
	sed -n "s/^$1 //p" flood.out
}

test_expect_success 'set up a model' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region
'

test_expect_success 'a request trickling in is cut at its deadline' '
	serve_start d --model-dir churn --request-timeout 2 --log-file d.log &&
	# a header line every 200 ms: an idle timeout would never fire
	slow-client "$(serve_port d)" 127.0.0.2 3 5 200 >flood.out &&
	test "$(flood_field opened)" = 3 &&
	test "$(flood_field refused)" = 0 &&
	test "$(flood_field cut)" = 3 &&
	test "$(flood_field held)" = 0 &&
	set -- $(flood_field cut_ms) &&
	test "$1" -ge 1900 && test "$2" -le 4000 &&
	test "$(grep -c "closed the connection of 127.0.0.2: no whole request within 2 s" d.log)" = 3 &&
	test "$(req d GET /health)" = 200 &&
	req d GET /metrics &&
	test_grep "^mmp_request_timeouts_total 3$" out
'

test_expect_success 'a slow request within its deadline is answered' '
	printf "{\"tenure\": 1, \"charges\": 2, \"plan\": \"pro\",
		\"region\": \"east\"}" >one.json &&
	hammer slow "$(serve_port d)" /predict one.json 500 >slow.out &&
	test_grep "^status 200$" slow.out &&
	serve_stop d
'

test_expect_success '--max-per-client caps one address, not the others' '
	serve_start c --model-dir churn --max-per-client 4 \
		--request-timeout 3 --log-file c.log &&
	slow-client "$(serve_port c)" 127.0.0.2 10 4 200 >flood.out &
	flood=$! &&
	sleep 1 &&
	test "$(req c GET /health)" = 200 &&
	wait $flood &&
	test "$(flood_field opened)" = 10 &&
	test "$(flood_field refused)" = 6 &&
	test "$(flood_field cut)" = 4 &&
	test "$(flood_field held)" = 0 &&
	serve_stop c
'

test_expect_success 'a flood of 1100 slow connections: /health still answers' '
	serve_start f --model-dir churn --request-timeout 3 --log-file f.log &&
	slow-client "$(serve_port f)" 127.0.0.2 1100 6 200 >flood.out &
	flood=$! &&
	sleep 1 &&
	for i in 1 2 3 4 5
	do
		test "$(req f GET /health -m 5)" = 200 || return 1
		sleep 0.2
	done &&
	wait $flood &&
	test "$(flood_field opened)" = 1100 &&
	test "$(flood_field refused)" = 1036 &&
	test "$(flood_field cut)" = 64 &&
	test "$(flood_field held)" = 0 &&
	test "$(req f GET /health)" = 200 &&
	serve_stop f
'

test_expect_success 'bad --request-timeout and --max-per-client are usage errors' '
	test_expect_code 129 mmp serve-api --model-dir churn \
		--request-timeout 0 2>err &&
	test_grep "request-timeout must be between 1 and 86400" err &&
	test_expect_code 129 mmp serve-api --model-dir churn \
		--max-per-client 0 2>err &&
	test_grep "max-per-client must be between 1 and 65535" err
'

test_expect_success 'serve.request_timeout and serve.max_per_client configure it' '
	test_expect_code 1 mmp -c serve.request_timeout=0 serve-api \
		--model-dir churn 2>err &&
	test_grep "serve.request_timeout" err
'

test_expect_success 'on loopback without a token: no warning' '
	serve_start l --model-dir churn &&
	serve_stop l &&
	! grep "^warning" "$SERVE_DIR/l.err"
'

test_expect_success 'on 0.0.0.0 without a token: a warning' '
	serve_start a --model-dir churn --host 0.0.0.0 &&
	serve_stop a &&
	test_grep "^warning: serving on 0.0.0.0 without --token-file: anyone who can reach this address can use the model$" \
		"$SERVE_DIR/a.err"
'

test_expect_success 'a token file others can read: a warning naming it' '
	echo s3cret >token &&
	chmod 644 token &&
	serve_start t --model-dir churn --token-file token &&
	serve_stop t &&
	test_grep "^warning: token file .token. can be read by other users \(mode 0644\); make it private with chmod 600$" \
		"$SERVE_DIR/t.err" &&
	chmod 600 token &&
	serve_start p --model-dir churn --token-file token --host 0.0.0.0 &&
	serve_stop p &&
	! grep "^warning" "$SERVE_DIR/p.err" &&
	! grep s3cret "$SERVE_DIR/t.err" "$SERVE_DIR/p.err"
'

test_expect_success 'escape sequences sent by a client never reach the log raw' '
	cp -r churn "$(printf "c\033[31mx")" &&
	serve_start e --model-dir "$(printf "c\033[31mx")" &&
	port=$(serve_port e) &&
	curl -s -m 20 -o /dev/null -X "$(printf "G\033[31mET")" \
		"http://127.0.0.1:$port/" &&
	curl -s -m 20 -o /dev/null --path-as-is \
		"http://127.0.0.1:$port/%C2%9B31mX%1B%5B2J%FF" &&
	curl -s -m 20 -o /dev/null "http://127.0.0.1:$port/health" &&
	serve_stop e &&
	test_grep "^serving model c.x1b\[31mx on http://127.0.0.1:" e.err &&
	test_grep "\* serving model .c\?\[31mx. \(binary" e.err &&
	test_grep "\"GET /health\" 200 " e.err &&
	test_grep "\"G\?\[31mET /\" 404 " e.err &&
	test_grep "\"GET /\?31mX\?\[2J\?\" 404 " e.err &&
	/usr/bin/python3 -c "
import sys
t = open(sys.argv[1], \"rb\").read().decode(\"utf-8\")
bad = [c for c in t if (ord(c) < 32 and c != \"\\n\") or 0x7f <= ord(c) < 0xa0]
sys.exit(\"raw %r\" % bad[0] if bad else 0)
" e.err
'

test_done
