#!/bin/sh
# t7000-ui: mmp ui over HTTP: every page, every error, escaping, tokens,
# artifact confinement

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/ui-lib.sh"

if /usr/bin/python3 -c 'import html.parser' 2>/dev/null; then
	test_set_prereq PY
fi

W=store-writer
DB="$TRASH_DIRECTORY/.mmp/mmp.db"
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

test_expect_success 'seed a trained run and hand-made runs' '
	mmp init >/dev/null &&
	mmp train --recipe recipes/breast-cancer.yaml -q --json >train.json &&
	T=$(sed -n "s/.*\"run_id\":\"\([0-9a-f]*\)\".*/\1/p" train.json) &&
	$W "$DB" start --experiment churn --name "<script>alert(1)</script>" \
		--start 1000000 : param @ max_depth=6 eta=0.1 : \
		metric @ auc=0.91 auc_ci_low=0.88 auc_ci_high=0.94 : \
		tag @ "note=<b>bold</b>" : \
		dataset @ train 3f2a9c 1000 12 training : \
		artifact @ notes/hello.txt 6 $SHA : \
		artifact @ model.bin 4 $SHA : artifact @ evil.txt 10 $SHA : \
		artifact @ gone.txt 1 $SHA : end @ FINISHED \
		: start --experiment churn --name beta --start 2000000 : \
		param @ max_depth=8 : metric @ auc=0.80 : \
		end @ FAILED "out of memory" \
		: start --experiment churn --name gamma --start 3000000 \
		--kind tune : param @ max_depth=4 : metric @ auc=0.95 : \
		end @ FINISHED >ids &&
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
		$W "$DB" start --experiment bulk --name bulk-$i \
			--start $((4000000 + i)) : metric @ auc=0.5$i : \
			end @ FINISHED || return 1
	done >/dev/null &&
	X=$(sed -n 1p ids) && Y=$(sed -n 2p ids) && Z=$(sed -n 3p ids) &&
	echo "T=$T X=$X Y=$Y Z=$Z" >vars &&
	# a long curve: 5000 steps of train and validation AUC
	sql "$DB" "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL
		SELECT i + 1 FROM s WHERE i < 4999)
		INSERT INTO metrics (run_uuid, key, value, step, timestamp)
		SELECT \"$X\", \"train-auc\", 0.5 + i / 10000.0, i, 1000 + i
		FROM s UNION ALL SELECT \"$X\", \"valid-auc\",
		0.5 + i / 12000.0, i, 1000 + i FROM s;
		INSERT INTO latest_metrics VALUES (\"$X\", \"train-auc\",
		0.9999, 0, 4999, 5999), (\"$X\", \"valid-auc\", 0.9166, 0,
		4999, 5999)" &&
	dir=$($W "$DB" artifact-dir $X) &&
	mkdir -p "$dir/notes" &&
	printf "hello\n" >"$dir/notes/hello.txt" &&
	printf "\001\002\003\004" >"$dir/model.bin" &&
	ln -s /etc/passwd "$dir/evil.txt"
'
. ./vars 2>/dev/null

test_expect_success 'start the UI on a free loopback port' '
	ui_start u --log-file u.log
'

test_expect_success PY 'runs page: every run, newest first, strict headers' '
	test "$(get u /)" = 200 &&
	test "$(header Content-Type)" = "text/html; charset=utf-8" &&
	test "$(header Content-Security-Policy)" = "$CSP" &&
	test "$(header X-Content-Type-Options)" = nosniff &&
	test "$(header X-Frame-Options)" = DENY &&
	test "$(hq count "table#runs tbody tr")" = 16 &&
	hq attr "table#runs tbody input" value >sel &&
	test_line_count = 16 sel &&
	test "$(sed -n 1p sel)" = "$T" &&
	test "$(sed -n 15p sel)" = "$Y" &&
	test "$(sed -n 16p sel)" = "$X" &&
	test "$(hq text total)" = 16
'

test_expect_success PY 'a <script> run name and tag are shown as text' '
	test "$(get u /)" = 200 &&
	hq scripts >scripts &&
	echo /static/ui.js >expect &&
	test_cmp expect scripts &&
	hq texts "table#runs tbody th a" >names &&
	test_grep "^<script>alert\\(1\\)</script>$" names &&
	test_grep "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" out &&
	! test_grep "<script>alert" out &&
	test "$(get u /runs/$X)" = 200 &&
	test "$(hq text run-name)" = "<script>alert(1)</script>" &&
	hq scripts >scripts &&
	test_cmp expect scripts &&
	test_grep "&lt;b&gt;bold&lt;/b&gt;" out
'

test_expect_success PY 'filter: the language of mmp runs list' '
	test "$(get u "/runs?filter=metrics.auc%20%3E%200.85")" = 200 &&
	hq attr "table#runs tbody input" value >sel &&
	printf "%s\n" $Z $X >expect &&
	test_cmp expect sel &&
	test "$(hq attr "input#filter" value)" = "metrics.auc > 0.85"
'

test_expect_success PY 'a bad filter: 400 with the column, nothing listed' '
	test "$(get u "/runs?filter=metrics.auc%20%3E%20x")" = 400 &&
	test "$(hq count "table#runs")" = 0 &&
	test "$(hq text filter-error)" = "invalid filter at column 15: expected a number (metric values are numbers) after '\''metrics.auc >'\'', got '\''x'\''" &&
	test "$(hq attr "input#filter" aria-invalid)" = true
'

test_expect_success PY 'an unknown experiment: 400 with a suggestion' '
	test "$(get u "/runs?experiment=chrun")" = 400 &&
	hq text filter-error >msg &&
	test "$(cat msg)" = "no experiment named '\''chrun'\''; did you mean '\''churn'\''?"
'

test_expect_success PY 'kind and status filters' '
	test "$(get u "/runs?kind=tune")" = 200 &&
	test "$(hq attr "table#runs tbody input" value)" = "$Z" &&
	test "$(get u "/runs?status=FAILED")" = 200 &&
	test "$(hq attr "table#runs tbody input" value)" = "$Y" &&
	test "$(get u "/runs?status=FAILED&kind=tune")" = 200 &&
	test "$(hq count "table#runs tbody input")" = 0 &&
	test "$(get u "/runs?kind=bogus")" = 400 &&
	test "$(hq text error)" = "unknown run kind '\''bogus'\''" &&
	test "$(get u "/runs?status=DONE")" = 400 &&
	test "$(hq text error)" = "unknown run status '\''DONE'\''"
'

test_expect_success PY 'sort by a metric, both ways; headers link the toggle' '
	test "$(get u "/runs?filter=metrics.auc%20%3E%200.7&sort=metrics.auc%20ASC")" = 200 &&
	hq attr "table#runs tbody input" value >sel &&
	printf "%s\n" $Y $X $Z >expect &&
	test_cmp expect sel &&
	hq attr "th[aria-sort=ascending] a" href >href &&
	test_grep "sort=metrics.auc%20DESC" href &&
	test "$(get u "/runs?filter=metrics.auc%20%3E%200.7&sort=metrics.auc%20DESC")" = 200 &&
	hq attr "table#runs tbody input" value >sel &&
	printf "%s\n" $Z $X $Y >expect &&
	test_cmp expect sel &&
	test "$(get u "/runs?sort=metrics.auc%20SIDEWAYS")" = 400 &&
	hq text filter-error >msg &&
	test_grep "invalid order-by" msg
'

test_expect_success PY 'chosen columns' '
	test "$(get u "/runs?experiment=churn&col=params.max_depth&col=tags.note")" = 200 &&
	hq texts "table#runs thead th" >heads &&
	test "$(tail -n 2 heads | tr "\n" " ")" = "params.max_depth tags.note " &&
	hq texts "table#runs tbody tr" >rows &&
	test_grep "^gamma .* 4$" rows &&
	test_grep "^<script>alert\\(1\\)</script> .* 6 <b>bold</b>$" rows &&
	test "$(get u "/runs?col=bogus.x")" = 400 &&
	hq text error >msg &&
	test_grep "unknown column '\''bogus.x'\''" msg
'

test_expect_success PY 'paging' '
	test "$(get u "/runs?experiment=bulk&per=10")" = 200 &&
	test "$(hq count "table#runs tbody input")" = 10 &&
	test "$(hq texts "table#runs caption")" = "Runs 1 to 10 of 12 (page 1 of 2)" &&
	hq attr "a[rel=next]" href >next &&
	test_grep "page=2" next &&
	test "$(get u "$(cat next)")" = 200 &&
	test "$(hq count "table#runs tbody input")" = 2 &&
	test "$(hq texts "table#runs caption")" = "Runs 11 to 12 of 12 (page 2 of 2)" &&
	hq texts "table#runs tbody th a" >names &&
	printf "bulk-1\nbulk-0\n" >expect &&
	test_cmp expect names &&
	test "$(hq count "a[rel=next]")" = 0
'

test_expect_success PY 'run page: facts, values, data, artifacts, curves' '
	test "$(get u /runs/$X)" = 200 &&
	hq texts "table#metrics tbody tr" >metrics &&
	test_grep "^auc 0.91 \\[0.88, 0.94\\] 0$" metrics &&
	! test_grep "^auc_ci_" metrics &&
	test_grep "^valid-auc 0.9166 4999$" metrics &&
	hq texts "table.kv tbody tr" >kv &&
	test_grep "^max_depth 6$" kv &&
	test_grep "^eta 0.1$" kv &&
	hq texts "table.datasets tbody tr" >data &&
	test "$(cat data)" = "train training 3f2a9c 1000 12 data/train.csv" &&
	hq texts "table#artifacts tbody tr" >arts &&
	test_grep "^notes/hello.txt 6 B 0123456789ab$" arts &&
	test "$(hq count "figure#curve-0 g.series")" = 2 &&
	hq texts "figure#curve-0 figcaption li" >legend &&
	printf "train\nvalid\n" >expect &&
	test_cmp expect legend &&
	hq attr "figure#curve-0 g.series" data-points >points &&
	printf "2000\n2000\n" >expect &&
	test_cmp expect points
'

test_expect_success PY 'run page zoom: only the chosen steps' '
	test "$(get u "/runs/$X?from=100&to=199")" = 200 &&
	hq attr "figure#curve-0 g.series" data-points >points &&
	printf "100\n100\n" >expect &&
	test_cmp expect points &&
	test "$(hq attr "figure#curve-0 svg" data-x0)" = 100 &&
	test "$(hq attr "figure#curve-0 svg" data-x1)" = 199
'

test_expect_success PY 'a trained run: confusion matrix, importance, recipe' '
	test "$(get u /runs/$T)" = 200 &&
	jq -r ".confusion_matrix.matrix[] | map(tostring) | join(\" \")" \
		train.json >expect &&
	hq texts "table#confusion tbody tr" | cut -d" " -f2- >got &&
	test_cmp expect got &&
	test "$(hq count "figure#importance rect.bar")" = 30 &&
	jq -r "[.feature_importance[]] | sort_by(-.gain) | .[0].name" \
		train.json >expect &&
	hq texts "figure#importance text" | sed -n 1p >got &&
	test_cmp expect got &&
	hq texts "pre.recipe" >recipe &&
	test_grep "breast_cancer.csv" recipe &&
	test "$(hq count "figure#curve-0 g.series")" = 2
'

test_expect_success PY 'a run by prefix or name; an unknown run is 404' '
	test "$(get u /runs/$(echo $Y | cut -c1-8))" = 200 &&
	test "$(hq text run-name)" = beta &&
	test "$(get u /runs/gamma)" = 200 &&
	test "$(hq text run-name)" = gamma &&
	test "$(get u /runs/ffffffffffffffffffffffffffffffff)" = 404 &&
	test "$(hq text error)" = "no run '\''ffffffffffffffffffffffffffffffff'\''" &&
	test "$(get u /runs/$X/nothing)" = 404
'

test_expect_success 'artifacts: download with size and type' '
	test "$(get u /runs/$X/artifacts/notes/hello.txt)" = 200 &&
	printf "hello\n" >expect &&
	test_cmp expect out &&
	test "$(header Content-Type)" = "text/plain; charset=utf-8" &&
	test "$(header Content-Length)" = 6 &&
	test "$(header Content-Disposition)" = "inline; filename=\"hello.txt\"" &&
	test "$(get u /runs/$X/artifacts/model.bin)" = 200 &&
	test "$(header Content-Type)" = application/octet-stream &&
	test "$(header Content-Disposition)" = "attachment; filename=\"model.bin\"" &&
	test "$(wc -c <out)" = 4
'

test_expect_success PY 'artifacts: a folder lists what is below it' '
	test "$(get u /runs/$X/artifacts/notes/)" = 200 &&
	hq texts "table.artifacts tbody tr" >list &&
	test "$(cat list)" = "hello.txt 6 B" &&
	test "$(get u /runs/$X/artifacts/nothing/)" = 404
'

test_expect_success PY 'artifacts: no way out of the artifact root' '
	test "$(get u "/runs/$X/artifacts/../../../../../etc/passwd")" = 400 &&
	hq text error >msg &&
	test_grep "bad artifact path" msg &&
	test "$(get u "/runs/$X/artifacts/notes/%2e%2e/%2e%2e/mmp.db")" = 400 &&
	test "$(get u "/runs/$X/artifacts//etc/passwd")" = 400 &&
	test "$(get u "/runs/$X/artifacts/notes/./hello.txt")" = 400 &&
	test "$(get u "/runs/$X/artifacts/evil.txt")" = 403 &&
	test "$(hq text error)" = "artifact '\''evil.txt'\'' points outside the artifact root" &&
	! test_grep root: out &&
	test "$(get u "/runs/$X/artifacts/unrecorded.txt")" = 404 &&
	test "$(hq text error)" = "run '\''$X'\'' has no artifact '\''unrecorded.txt'\''" &&
	test "$(get u "/runs/$X/artifacts/gone.txt")" = 404 &&
	test "$(hq text error)" = "the file of artifact '\''gone.txt'\'' is missing"
'

test_expect_success PY 'compare: a diff table that marks what differs' '
	test "$(get u "/compare?run=$X&run=$Y&run=gamma")" = 200 &&
	hq texts "table#diff-table thead th" >heads &&
	printf "Key\n<script>alert(1)</script>\nbeta\ngamma\n" >expect &&
	test_cmp expect heads &&
	hq texts "table#diff-table tr.differs th" >differs &&
	printf "%s\n" "params.eta (differs)" "params.max_depth (differs)" \
		"metrics.auc (differs)" "metrics.auc_ci_high (differs)" \
		"metrics.auc_ci_low (differs)" "metrics.train-auc (differs)" \
		"metrics.valid-auc (differs)" >expect &&
	test_cmp expect differs &&
	hq texts "table#diff-table tbody tr" >rows &&
	test_grep "^params.max_depth \\(differs\\) 6 8 4$" rows &&
	test_grep "^metrics.auc \\(differs\\) 0.91 0.8 0.95$" rows &&
	test "$(hq count "figure#parallel g.series")" = 3 &&
	hq texts "figure#parallel svg g.axis text.label" >axes &&
	printf "%s\n" eta max_depth auc auc_ci_high auc_ci_low train-auc \
		>expect &&
	test_cmp expect axes
'

test_expect_success PY 'compare: curves of every run on one step axis' '
	$W "$DB" start --experiment churn --name delta : \
		param @ max_depth=6 : metric @ valid-auc=0.6@0 valid-auc=0.7@1 valid-auc=0.8@2 : \
		end @ FINISHED >delta &&
	D=$(cat delta) &&
	test "$(get u "/compare?run=$X&run=$D")" = 200 &&
	hq texts "h2" >h2 &&
	test_grep "^Curves$" h2 &&
	hq texts "figure.chart figcaption" >caps &&
	test_grep "^valid-auc by step" caps &&
	test "$(hq count "figure#curve-1 g.series")" = 2 &&
	hq attr "figure#curve-1 g.series" data-points >points &&
	printf "2000\n3\n" >expect &&
	test_cmp expect points &&
	test "$(get u "/compare?run=$X&run=$D&from=1&to=2")" = 200 &&
	hq attr "figure#curve-1 g.series" data-points >points &&
	printf "2\n2\n" >expect &&
	test_cmp expect points &&
	test "$(hq attr "figure#curve-1 svg" data-x1)" = 2 &&
	test "$(get u "/compare?run=$X&run=$D&only=diff")" = 200 &&
	hq texts "table#diff-table tbody tr" >rows &&
	test_grep "^params.eta \\(differs\\) 0.1$" rows &&
	! test_grep "^params.max_depth" rows
'

test_expect_success PY 'compare: errors' '
	test "$(get u "/compare?run=$X")" = 400 &&
	test "$(hq text error)" = "choose 2 to 100 runs to compare (1 given)" &&
	test "$(get u "/compare?run=$X&run=$X")" = 400 &&
	test "$(get u "/compare?run=$X&run=nosuchrun")" = 404 &&
	test "$(hq text error)" = "no run '\''nosuchrun'\''" &&
	q=$(for i in $(seq 101); do printf "run=%s&" $X; done) &&
	test "$(get u "/compare?$q")" = 400 &&
	test "$(hq text error)" = "choose 2 to 100 runs to compare (101 given)"
'

test_expect_success 'static assets come from the binary' '
	test "$(get u /static/ui.css)" = 200 &&
	test "$(header Content-Type)" = "text/css; charset=utf-8" &&
	test_cmp "$SRC_DIR/lib/ui/assets/ui.css" out &&
	test "$(get u /static/ui.js)" = 200 &&
	test "$(header Content-Type)" = "text/javascript; charset=utf-8" &&
	test_cmp "$SRC_DIR/lib/ui/assets/ui.js" out
'

test_expect_success PY 'unknown pages are 404; the UI only reads' '
	test "$(get u /nowhere)" = 404 &&
	test "$(hq text error)" = "no page '\''/nowhere'\''" &&
	test "$(get u /runs -X POST -d x=1)" = 405 &&
	test "$(header Allow)" = "GET, HEAD" &&
	test "$(get u /runs/$X -X DELETE)" = 405 &&
	test "$(get u /runs/$X -I)" = 200
'

test_expect_success 'the access log has every request, no query string' '
	test_grep "\"GET /runs/$X\" 200" u.log &&
	! test_grep "filter=" u.log
'

test_expect_success 'a port in use is fatal and names the holder, as for serve-api' '
	port=$(ui_port u) &&
	test_expect_code 128 mmp ui --port "$port" 2>err &&
	echo "fatal: port $port on 127.0.0.1 is already in use (held by pid $(cat u.uipid) '"'"'mmp'"'"')" \
		>expect &&
	test_cmp expect err
'

test_expect_success 'SIGTERM stops the UI with exit 0, saying so as serve-api does' '
	ui_stop u &&
	ui_start v &&
	ui_stop v &&
	test "$(cat v.rc)" = 0 &&
	! test_grep "^fatal" v.err &&
	test_grep "^shutting down: finishing 0 request\(s\)$" v.err
'

test_expect_success 'a bad host is an error naming it, as for serve-api' '
	printf "s3cret-T0ken\n" >token0 &&
	test_expect_code 1 mmp ui --port 0 --host no.such.host.invalid \
		--token-file token0 2>err &&
	test_grep "^error: cannot serve the UI on no.such.host.invalid port 0: cannot resolve host .no.such.host.invalid." err
'

test_expect_success 'a token file: every page needs the token' '
	printf "s3cret-T0ken\n" >token &&
	ui_start t --token-file token &&
	test "$(get t /)" = 401 &&
	test "$(header WWW-Authenticate)" = Bearer &&
	test "$(get t /static/ui.css)" = 401 &&
	test "$(get t "/?token=wrong")" = 401 &&
	test "$(get t / -H "Authorization: Bearer wrong")" = 401 &&
	test "$(get t / -H "Authorization: Bearer s3cret-T0ken")" = 200 &&
	test "$(get t "/runs/$X?token=s3cret-T0ken")" = 303 &&
	test "$(header Location)" = "/runs/$X" &&
	test "$(header Set-Cookie)" = "mmp_ui_token=s3cret-T0ken; Path=/; HttpOnly; SameSite=Strict" &&
	test "$(get t /runs/$X -H "Cookie: mmp_ui_token=s3cret-T0ken")" = 200 &&
	test "$(get t / -H "Cookie: mmp_ui_token=s3cret-T0ke")" = 401 &&
	! test_grep s3cret t.err &&
	ui_stop t
'

test_expect_success 'off loopback without a token: refused, nothing bound' '
	test_expect_code 1 mmp ui --host 0.0.0.0 --port 0 2>err &&
	test_grep "needs a token file \\(--token-file\\)" err
'

test_expect_success 'a bad token file is named' '
	: >empty &&
	test_expect_code 1 mmp ui --port 0 --token-file empty 2>err &&
	test_grep "token file '\''empty'\'' is empty" err &&
	test_expect_code 1 mmp ui --port 0 --token-file missing 2>err &&
	test_grep "cannot read the token file" err
'

test_expect_success 'usage errors' '
	test_expect_code 129 mmp ui extra 2>err &&
	test_expect_code 129 mmp ui --port 70000 2>err &&
	test_grep "^error: --port must be between 0 and 65535$" err &&
	test_expect_code 129 mmp ui --threads 65 2>err &&
	test_grep "^error: --threads must be between 0 and 64$" err
'

test_expect_success 'the store is not written by the UI' '
	sql "$DB" "SELECT count(*) FROM runs" >n &&
	test "$(cat n)" = 17
'

test_done
