#!/bin/sh
# t4300-serve-lifecycle: binding, --run, concurrency, graceful shutdown, leaks

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

F="$FIXTURES/serve"

test_expect_success 'set up a model and one request body' '
	mkmodel train churn "$F/churn.csv" binary churned \
		--entity customer_id --cat plan --cat region &&
	printf "%s" "{\"customer_id\": \"C9\", \"tenure\": 3, \"charges\": 99.5, \"plan\": \"basic\", \"region\": \"east\"}" \
		>one.json
'

test_expect_success 'the default bind is 127.0.0.1 only' '
	serve_start d --model-dir churn &&
	port=$(serve_port d) &&
	hex=$(printf "%04X" "$port") &&
	grep -E "^ *[0-9]+: 0100007F:$hex 00000000:0000 0A" /proc/net/tcp &&
	! grep -E "^ *[0-9]+: 00000000:$hex 00000000:0000 0A" /proc/net/tcp &&
	! grep -E "^ *[0-9]+: 0+:$hex 0+:0000 0A" /proc/net/tcp6
'

test_expect_success 'a port in use is fatal and names the holder' '
	port=$(serve_port d) &&
	test_expect_code 128 mmp serve-api --model-dir churn --port "$port" \
		2>err &&
	pid=$(cat d.pid) &&
	echo "fatal: port $port on 127.0.0.1 is already in use (held by pid $pid '"'"'mmp'"'"')" \
		>expect &&
	test_cmp expect err
'

test_expect_success 'a port held by another program names that program' '
	{ listen 127.0.0.1 0 30 >l.out & } &&
	echo $! >listen.pid &&
	i=0 &&
	while ! grep -q "^port=" l.out && test $i -lt 100
	do
		i=$((i + 1)); sleep 0.1
	done &&
	lport=$(sed -n "s/^port=//p" l.out) &&
	test_expect_code 128 mmp serve-api --model-dir churn --port "$lport" \
		2>err &&
	test_grep "^fatal: port $lport on 127.0.0.1 is already in use \(held by pid $(cat listen.pid) .listen.\)$" err &&
	kill $(cat listen.pid)
'

test_expect_success 'concurrent clients: 8 threads x 250 requests, all equal' '
	port=$(serve_port d) &&
	hammer "$port" 8 250 /predict one.json >h.out &&
	echo "sent 2000 answered 2000 refused 0 mismatched 0 truncated 0" \
		>expect &&
	test_cmp expect h.out
'

test_expect_success 'concurrent curl processes get the same answer' '
	port=$(serve_port d) &&
	for i in 1 2 3 4 5 6 7 8
	do
		curl -s -m 20 -H "Content-Type: application/json" \
			--data-binary @one.json \
			"http://127.0.0.1:$port/predict" >c$i.out &
	done &&
	wait &&
	for i in 2 3 4 5 6 7 8
	do
		test_cmp c1.out c$i.out || return 1
	done &&
	test_grep "\"customer_id\":\"C9\"" c1.out
'

test_expect_success 'the metrics saw every request' '
	req d GET /metrics &&
	test_grep "^mmp_predictions_total 2008$" out &&
	test_grep "^mmp_http_requests_total\{route=\"/predict\",status=\"200\"\} 2008$" out &&
	test_grep "^mmp_requests_in_flight 1$" out
'

test_expect_success 'SIGTERM finishes a request in flight and exits 0' '
	serve_stop d &&
	serve_start d --model-dir churn &&
	port=$(serve_port d) &&
	{ hammer slow "$port" /predict one.json 1500 >slow.out & } &&
	slow=$! &&
	i=0 &&
	while ! grep -q "half sent" slow.out && test $i -lt 100
	do
		i=$((i + 1)); sleep 0.05
	done &&
	sleep 0.2 &&
	serve_stop d &&
	test "$(cat d.rc)" = 0 &&
	wait $slow &&
	test_grep "^status 200$" slow.out &&
	test_grep "\"customer_id\":\"C9\"" slow.out &&
	test_grep "^shutting down: finishing 1 request\(s\)$" d.err
'

test_expect_success 'SIGTERM under load: every request sent is answered' '
	serve_start l --model-dir churn &&
	port=$(serve_port l) &&
	{ hammer "$port" 6 3000 /predict one.json >load.out & } &&
	ham=$! &&
	sleep 0.5 &&
	serve_stop l &&
	test "$(cat l.rc)" = 0 &&
	wait $ham;
	cat load.out &&
	sed -n "s/^sent \([0-9]*\) answered \([0-9]*\) .* mismatched 0 truncated 0$/\1 \2/p" \
		load.out >counts &&
	read sent answered <counts &&
	test "$sent" -gt 0 && test "$sent" = "$answered"
'

test_expect_success 'a second signal while draining exits 1 at once' '
	serve_start s --model-dir churn &&
	port=$(serve_port s) &&
	{ hammer slow "$port" /predict one.json 3000 >slow2.out & } &&
	slow=$! &&
	i=0 &&
	while ! grep -q "half sent" slow2.out && test $i -lt 100
	do
		i=$((i + 1)); sleep 0.05
	done &&
	sleep 0.2 &&
	kill -INT "$(cat s.pid)" &&
	sleep 0.3 &&
	serve_stop s INT &&
	test "$(cat s.rc)" = 1 &&
	test_grep "^fatal: interrupted again" s.err;
	rc=$?;
	kill $slow 2>/dev/null;
	wait $slow 2>/dev/null;
	return $rc
'

test_expect_success SQLITE3 '--run serves the model among a run'"'"'s artifacts' '
	store-writer .mmp/mmp.db create &&
	id=$(store-writer .mmp/mmp.db start --name train-001) &&
	dir=$(store-writer .mmp/mmp.db artifact-dir "$id") &&
	cp -r churn "$dir/model" &&
	serve_start r --run train-001 &&
	test_grep "^serving model $id on " r.err &&
	test "$(req r GET /health)" = 200 &&
	test_grep "\"name\":\"$id\"" out &&
	test "$(post r /predict @one.json)" = 200 &&
	serve_stop r
'

test_expect_success SQLITE3 '--run with an unknown run or no model fails' '
	test_expect_code 1 mmp serve-api --run nope --port 0 2>err &&
	test_grep "^error: cannot find run .nope." err &&
	id=$(store-writer .mmp/mmp.db start --name empty-run) &&
	test_expect_code 1 mmp serve-api --run empty-run --port 0 2>err &&
	test_grep "^error: run .$id. has no model to serve" err
'

test_expect_success JQ 'configuration keys give the defaults; flags win' '
	MMP_SERVE_MAX_BODY=64 && export MMP_SERVE_MAX_BODY &&
	serve_start cfg --model-dir churn &&
	test "$(post cfg /predict @one.json)" = 413 &&
	test "$(json_get out .error.message)" = \
		"the request body is larger than the limit of 64 bytes (see --max-body)" &&
	serve_stop cfg &&
	serve_start cfg2 --model-dir churn --max-body 1k &&
	test "$(post cfg2 /predict @one.json)" = 200 &&
	serve_stop cfg2 &&
	test_expect_code 1 mmp -c serve.host=192.0.2.1 serve-api \
		--model-dir churn --port 0 2>err &&
	test_grep "address 192.0.2.1 is not an address" err
'

test_done
