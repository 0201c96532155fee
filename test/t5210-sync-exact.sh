#!/bin/sh
# t5210-sync-exact: every metric value reaches --json and the tracking
# server as the same double, bit for bit, and a push interrupted with a
# batch in flight logs none of them twice

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

if /usr/bin/python3 -c 'import json, struct, random' 2>/dev/null; then
	test_set_prereq PY
fi

# values.txt: one value a line, in Python's repr (shortest round trip):
# the awkward ones first, then random bit patterns (every exponent,
# subnormals) and random values in [0, 1)
make_values() {
	/usr/bin/python3 - <<-\EOF
	import math, random, struct
	r = random.Random(20261205)
	vals = [0.1, 1 / 3, 0.28836946908319205, 2 / 3, 0.30000000000000004,
	    5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
	    1e-310, 1.7976931348623157e308, -1.7976931348623157e308,
	    1e300, -1e-300, 1e23, 123456789.12345678, 9007199254740993.0,
	    1795453900000.0, 0.0, 1.0, -2.5]
	while len(vals) < 1000:
	    v = struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
	    if math.isfinite(v):
	        vals.append(v)
	while len(vals) < 1500:
	    vals.append(r.random())
	for v in vals:
	    print(repr(v))
	EOF
}

# check_history STATE [RUN_NAME]: the server's history of metric "v" for
# the run holds each step once, with the bits of values.txt's value
check_history() {
	/usr/bin/python3 - "$@" <<-\EOF
	import json, struct, sys
	want = [float(l) for l in open("values.txt")]
	state = json.load(open(sys.argv[1]))
	runs = state["runs"]
	if len(sys.argv) > 2:
	    runs = [r for r in runs if r["info"].get("run_name") == sys.argv[2]]
	if len(runs) != 1:
	    sys.exit("%d runs" % len(runs))
	seen = {}
	for m in runs[0]["history"]:
	    if m["key"] != "v":
	        continue
	    if m["step"] in seen:
	        sys.exit("step %d logged twice" % m["step"])
	    seen[m["step"]] = m["value"]
	if sorted(seen) != list(range(len(want))):
	    sys.exit("%d values, want %d" % (len(seen), len(want)))
	bad = [(s, repr(want[s]), seen[s]) for s in seen
	       if not isinstance(seen[s], (int, float)) or
	       struct.pack("<d", float(seen[s])) != struct.pack("<d", want[s])]
	if bad:
	    sys.exit("%d values differ, e.g. %r" % (len(bad), bad[:3]))
	EOF
}

# metric_args NAME: store-writer arguments logging values.txt as the
# history of "v" (step = line - 1)
metric_args() {
	awk "{ if ((NR - 1) % 50 == 0) printf \": metric @ \";
		printf \"v=%s@%d@%d \", \$0, NR - 1, 1000 + NR - 1 }" values.txt
}

test_expect_success PY 'set up a run with 1500 awkward metric values' '
	mmp init -q proj &&
	make_values >values.txt &&
	test_line_count = 1500 values.txt &&
	store-writer $DB start --experiment exact --name exact $(metric_args) \
		: param @ a=1 : end @ FINISHED >run.out &&
	head -n 1 run.out >run
'

test_expect_success PY 'runs show --json gives each value exactly' '
	m=$(head -n 64 values.txt | awk "{ printf \"k%d=%s \", NR - 1, \$0 }") &&
	store-writer $DB start --experiment exact --name keys : metric @ $m \
		: end @ FINISHED >keys.out &&
	mmp --store proj/.mmp runs show "$(head -n 1 keys.out)" --json \
		>show.json &&
	/usr/bin/python3 - <<-\EOF
	import json, struct, sys
	want = [float(l) for l in open("values.txt")][:64]
	got = json.load(open("show.json"))["run"]["metrics"]
	for i, w in enumerate(want):
	    v = got["k%d" % i]["value"]
	    if struct.pack("<d", float(v)) != struct.pack("<d", w):
	        sys.exit("k%d: %r, want %r" % (i, v, w))
	EOF
'

test_expect_success PY,JQ 'a push delivers every value exactly' '
	fake_start a &&
	(cd proj && mmp sync --tracking-uri "$(fake_url a)" --json) \
		>a.json &&
	fake_state a a.state &&
	check_history a.state exact &&
	grep -q "\"value\":	0.28836946908319205," a.state &&
	fake_stop a
'

test_expect_success PY 'set up a second run with the same values' '
	store-writer $DB start --experiment exact --name again \
		$(metric_args) : param @ a=1 : end @ FINISHED >again.out &&
	head -n 1 again.out >again
'

# push_bg NAME: push the second run to server NAME in the background
push_bg() {
	(cd proj && exec mmp sync --tracking-uri "$(fake_url "$1")" \
		--run "$(cat ../again)" -q) >bg.out 2>bg.err &
	echo $! >bg.pid
	test_bg_register $!
}

test_expect_success PY,JQ 'a push killed with a batch in flight resends nothing' '
	fake_start b --stall-after runs/log-batch:2 &&
	push_bg b &&
	wait_for_line b.log "runs/log-batch" 2 &&
	sleep 0.2 &&
	kill -9 "$(cat bg.pid)" &&
	{ wait "$(cat bg.pid)" 2>/dev/null; true; } &&
	grep "log-batch params=0 metrics=1000" b.log >batches &&
	test_line_count = 1 batches &&
	fake_state b before.json &&
	test "$(jq "[.runs[0].history[] | select(.key == \"v\")] | length" \
		before.json)" = 1000 &&
	: >b.log &&
	(cd proj && mmp sync --tracking-uri "$(fake_url b)" \
		--run "$(cat ../again)" --json) >b.json &&
	test_grep "metrics/get-history" b.log &&
	test "$(json_get b.json .sent.metrics)" = 500 &&
	fake_state b b.state &&
	check_history b.state again
'

test_done
