#!/bin/sh
# t5700-sync-pull: mmp sync --pull mirrors the loopback server's runs into
# the store exactly (values, history, tags, artifact lists), page by page,
# read-only, incrementally, idempotently, and resumes after kill -9

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/sync-lib.sh"

DB=proj/.mmp/mmp.db

if test -x /usr/bin/python3; then test_set_prereq PYTHON3; fi

# new_run NAME EXPERIMENT_ID RUN_NAME START: a run on the server; its id
# on stdout
new_run() {
	fake_post "$1" runs/create "{\"experiment_id\":\"$2\",\"run_name\":\"$3\",
		\"start_time\":$4,\"user_id\":\"alice\",
		\"tags\":[{\"key\":\"mlflow.source.name\",\"value\":\"train.py\"}]}" |
		jq -r .run.info.run_id
}

# put_artifact NAME EXPERIMENT_ID RUN PATH DATA
put_artifact() {
	printf "%s" "$5" | curl -sf -X PUT --data-binary @- \
		"$(fake_url "$1")/api/2.0/mlflow-artifacts/artifacts/$2/$3/artifacts/$4" \
		>/dev/null
}

pull() {
	(cd proj && mmp sync --pull --tracking-uri "$(fake_url fake)" \
		--retries 0 "$@")
}

# dump DB: every row a pull writes, in a fixed order, the local ids
# included (they are derived from the server and the remote id)
dump() {
	sql "$1" "SELECT r.run_uuid, e.name, r.name, r.status, r.start_time,
		r.end_time, r.user_id, r.source_name, r.lifecycle_stage,
		r.origin, r.remote_run_id, r.mirror_digest FROM runs r
		JOIN experiments e USING (experiment_id) ORDER BY r.run_uuid;
		SELECT * FROM params ORDER BY run_uuid, key;
		SELECT * FROM tags ORDER BY run_uuid, key;
		SELECT run_uuid, key, quote(value), is_nan, step, timestamp
		FROM metrics ORDER BY run_uuid, key, rowid;
		SELECT run_uuid, key, quote(value), is_nan, step, timestamp
		FROM latest_metrics ORDER BY run_uuid, key;
		SELECT * FROM artifacts ORDER BY run_uuid, path;
		SELECT name, lifecycle_stage FROM experiments ORDER BY name"
}

# canonical lines of what the server holds, and of what the store
# mirrored, with every double as its shortest round-trip text
canon_server() {
	/usr/bin/python3 - "$1" <<-\EOF
	import json, sys
	st = json.load(open(sys.argv[1]))
	exps = {e["experiment_id"]: e["name"] for e in st["experiments"]}
	def num(v):
	    return "nan" if v == "NaN" else repr(float(v))
	out = []
	for r in st["runs"]:
	    i = r["info"]; rid = i["run_id"]; d = r["data"]
	    if any(t["key"] == "mmp.run_id" for t in d.get("tags", [])):
	        continue
	    out.append("run %s %s|%s|%s|%d|%d|%s|%s" % (rid,
	        exps[i["experiment_id"]], i["run_name"], i["status"],
	        i["start_time"], i.get("end_time", 0), i["user_id"],
	        i["lifecycle_stage"]))
	    for p in d.get("params", []):
	        out.append("param %s %s=%s" % (rid, p["key"], p["value"]))
	    for t in d.get("tags", []):
	        out.append("tag %s %s=%s" % (rid, t["key"], t["value"]))
	    h = sorted(r["history"], key=lambda m: m["key"])
	    for m in h:
	        out.append("metric %s %s %d %d %s" % (rid, m["key"],
	            m["step"], m["timestamp"], num(m["value"])))
	    root = i["artifact_uri"].split(":/", 1)[1] + "/"
	    for a in st["artifacts"]:
	        if a["path"].startswith(root):
	            out.append("artifact %s %s %d" % (rid,
	                a["path"][len(root):], a["size"]))
	print("\n".join(sorted(out)))
	EOF
}

canon_store() {
	/usr/bin/python3 - "$1" <<-\EOF
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	out = []
	q = db.execute("SELECT r.run_uuid, r.remote_run_id, e.name, r.name,"
	    " r.status, r.start_time, coalesce(r.end_time, 0), r.user_id,"
	    " r.lifecycle_stage FROM runs r JOIN experiments e"
	    " USING (experiment_id) WHERE r.origin IS NOT NULL")
	for lid, rid, exp, name, status, start, end, user, stage in q:
	    out.append("run %s %s|%s|%s|%d|%d|%s|%s" % (rid, exp, name,
	        status, start, end, user, stage))
	    for k, v in db.execute("SELECT key, value FROM params"
	            " WHERE run_uuid = ?", (lid,)):
	        out.append("param %s %s=%s" % (rid, k, v))
	    for k, v in db.execute("SELECT key, value FROM tags"
	            " WHERE run_uuid = ?", (lid,)):
	        out.append("tag %s %s=%s" % (rid, k, v))
	    for k, v, nan, step, ts in db.execute("SELECT key, value, is_nan,"
	            " step, timestamp FROM metrics WHERE run_uuid = ?"
	            " ORDER BY key, rowid", (lid,)):
	        out.append("metric %s %s %d %d %s" % (rid, k, step, ts,
	            "nan" if nan else repr(float(v))))
	    for p, size in db.execute("SELECT path, size FROM artifacts"
	            " WHERE run_uuid = ?", (lid,)):
	        out.append("artifact %s %s %d" % (rid, p, size))
	print("\n".join(sorted(out)))
	EOF
}

# same_as_server: the store mirrors exactly what the server holds
same_as_server() {
	fake_state fake state.json &&
	canon_server state.json >server.txt &&
	canon_store $DB >store.txt &&
	test_cmp server.txt store.txt
}

test_expect_success JQ 'set up: a server with two experiments of runs' '
	fake_start fake --page-size 2 &&
	t=$(fake_post fake experiments/create "{\"name\":\"team\"}" |
		jq -r .experiment_id) &&
	o=$(fake_post fake experiments/create "{\"name\":\"other\"}" |
		jq -r .experiment_id) &&
	echo $t >team.id &&
	for i in 1 2 3 4 5
	do
		r=$(new_run fake $t "team-$i" $((1795000000000 + i))) &&
		echo $r >>team.runs &&
		fake_post fake runs/log-batch "{\"run_id\":\"$r\",
			\"params\":[{\"key\":\"max_depth\",\"value\":\"$i\"},
				{\"key\":\"eta\",\"value\":\"0.3\"}],
			\"metrics\":[
			{\"key\":\"auc\",\"value\":0.28836946908319205,\"timestamp\":1795000001000,\"step\":0},
			{\"key\":\"auc\",\"value\":0.30000000000000004,\"timestamp\":1795000002000,\"step\":1},
			{\"key\":\"auc\",\"value\":1e-300,\"timestamp\":1795000003000,\"step\":2},
			{\"key\":\"auc\",\"value\":\"NaN\",\"timestamp\":1795000004000,\"step\":3},
			{\"key\":\"auc\",\"value\":0.9$i,\"timestamp\":1795000005000,\"step\":4},
			{\"key\":\"loss\",\"value\":\"Infinity\",\"timestamp\":1795000001000,\"step\":0},
			{\"key\":\"loss\",\"value\":-2.5e-7,\"timestamp\":1795000001000,\"step\":0}],
			\"tags\":[{\"key\":\"team\",\"value\":\"fraud\"}]}" >/dev/null &&
		put_artifact fake $t $r model/MLmodel "flavors: {}" &&
		put_artifact fake $t $r model/model.ubj "0123456789$i" &&
		put_artifact fake $t $r eval/report.json "{}" || return 1
	done &&
	for i in 1 2 3 4
	do
		r=$(sed -n ${i}p team.runs) &&
		fake_post fake runs/update "{\"run_id\":\"$r\",\"status\":\"FINISHED\",
			\"end_time\":$((1795000100000 + i))}" >/dev/null || return 1
	done &&
	r=$(new_run fake $o "other-1" 1795000000100) &&
	fake_post fake runs/update "{\"run_id\":\"$r\",\"status\":\"FAILED\",
		\"end_time\":1795000200000}" >/dev/null &&
	mmp init -q proj
'

test_expect_success JQ,PYTHON3,SQLITE3 'a pull mirrors every run exactly' '
	: >fake.log &&
	pull --json >p1.json &&
	test "$(json_get p1.json .status)" = ok &&
	test "$(json_get p1.json .remote)" = "$(fake_url fake)" &&
	test "$(json_get p1.json .total.runs_seen)" = 6 &&
	test "$(json_get p1.json .total.runs_new)" = 6 &&
	test "$(json_get p1.json .total.runs_updated)" = 0 &&
	test "$(json_get p1.json .total.metrics)" = 35 &&
	test "$(json_get p1.json .total.params)" = 10 &&
	test "$(json_get p1.json .total.artifacts)" = 15 &&
	test "$(json_get p1.json ".experiments[] | select(.name == \"team\") |
		.pages")" = 3 &&
	test "$(json_get p1.json ".experiments[] | select(.name == \"team\") |
		.runs_new")" = 5 &&
	test "$(json_get p1.json ".experiments[] | select(.name == \"other\") |
		.runs_new")" = 1 &&
	same_as_server &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE origin = \"$(fake_url fake)\"")" = 6
'

test_expect_success SQLITE3 'NaN, infinities and tiny values read back as logged' '
	r=$(sed -n 1p team.runs) &&
	sql $DB "SELECT step, is_nan, value = 1e-300, value FROM metrics m
		JOIN runs r USING (run_uuid) WHERE r.remote_run_id = \"$r\"
		AND key = \"auc\" ORDER BY m.rowid" >auc &&
	printf "%s\n" "0|0|0|0.288369469083192" "1|0|0|0.3" "2|0|1|1.0e-300" \
		"3|1||" "4|0|0|0.91" >expect &&
	test_cmp expect auc &&
	test "$(sql $DB "SELECT value FROM latest_metrics l JOIN runs r
		USING (run_uuid) WHERE r.remote_run_id = \"$r\"
		AND key = \"auc\"")" = 0.91
'

# the log has no query strings: auc has 5 values, loss 2, a page holds
# 2, so each run takes 3 + 1 get-history requests
test_expect_success 'the history came page by page' '
	test "$(grep -c "GET /api/2.0/mlflow/metrics/get-history" fake.log)" = 20 &&
	test "$(grep -c "POST /api/2.0/mlflow/runs/search" fake.log)" = 5 &&
	test "$(grep -c "POST /api/2.0/mlflow/experiments/search" fake.log)" = 2 &&
	test "$(grep -c "GET /api/2.0/mlflow/artifacts/list" fake.log)" = 16
'

test_expect_success JQ 'runs list, show and compare show mirrored runs as remote' '
	(cd proj && mmp runs list --json) >list.json &&
	test "$(jq "[.runs[] | select(.remote)] | length" list.json)" = 6 &&
	r=$(sed -n 2p team.runs) &&
	id=$(sql $DB "SELECT run_uuid FROM runs WHERE remote_run_id = \"$r\"") &&
	(cd proj && mmp runs show $id --json) >show.json &&
	test "$(json_get show.json .run.remote)" = true &&
	test "$(json_get show.json .run.origin)" = "$(fake_url fake)" &&
	test "$(json_get show.json .run.remote_run_id)" = "$r" &&
	test "$(json_get show.json .run.run_name)" = team-2 &&
	test "$(json_get show.json .run.user_id)" = alice &&
	test "$(json_get show.json .run.source_name)" = train.py &&
	test "$(json_get show.json ".run.params.max_depth")" = 2 &&
	test "$(json_get show.json ".run.metrics.auc.value")" = 0.92 &&
	test "$(json_get show.json ".run.artifacts | map(.path) | join(\",\")")" = \
		"eval/report.json,model/MLmodel,model/model.ubj" &&
	test "$(json_get show.json ".run.artifacts[2].size")" = 11 &&
	(cd proj && mmp runs show $id) >show.txt &&
	test_grep "^remote .*$(fake_url fake), run $r" show.txt &&
	(cd proj && mmp runs list) >list.txt &&
	test_grep "team-2 .*train .remote." list.txt
'

# team-5 is still RUNNING there: it is read again (3 + 1 get-history, 3
# artifacts/list requests), the ended runs are not
test_expect_success JQ 'a second pull changes nothing, reads only the running run' '
	dump $DB >before.dump &&
	: >fake.log &&
	pull --json >p2.json &&
	test "$(json_get p2.json .status)" = ok &&
	test "$(json_get p2.json .total.runs_unchanged)" = 6 &&
	test "$(json_get p2.json .total.runs_reread)" = 1 &&
	test "$(json_get p2.json .total.runs_new)" = 0 &&
	test "$(json_get p2.json .total.runs_updated)" = 0 &&
	test "$(json_get p2.json .total.metrics)" = 0 &&
	test "$(grep -c get-history fake.log)" = 4 &&
	test "$(grep -c artifacts/list fake.log)" = 3 &&
	dump $DB >after.dump &&
	test_cmp before.dump after.dump
'

# a value at an older step leaves the listing (latest values) as it was
test_expect_success JQ,PYTHON3 'a late value of a running run arrives on the next pull' '
	r=$(sed -n 5p team.runs) &&
	fake_post fake runs/log-metric "{\"run_id\":\"$r\",\"key\":\"auc\",
		\"value\":0.5,\"timestamp\":1795000001500,\"step\":1}" \
		>/dev/null &&
	dump $DB >before.dump &&
	pull --json >late.json &&
	test "$(json_get late.json .total.runs_updated)" = 1 &&
	test "$(json_get late.json .total.runs_reread)" = 1 &&
	test "$(json_get late.json .total.runs_unchanged)" = 5 &&
	test "$(json_get late.json .total.metrics)" = 8 &&
	dump $DB >after.dump &&
	! test_cmp before.dump after.dump >/dev/null &&
	same_as_server
'

test_expect_success JQ,PYTHON3 'a run changed on the server: only it changes' '
	r=$(sed -n 5p team.runs) &&
	fake_post fake runs/log-batch "{\"run_id\":\"$r\",\"metrics\":[
		{\"key\":\"auc\",\"value\":0.987654321012345678,\"timestamp\":1795000009000,\"step\":5}],
		\"tags\":[{\"key\":\"note\",\"value\":\"best\"}]}" >/dev/null &&
	fake_post fake runs/update "{\"run_id\":\"$r\",\"status\":\"FINISHED\",
		\"end_time\":1795000300000}" >/dev/null &&
	id=$(sql $DB "SELECT run_uuid FROM runs WHERE remote_run_id = \"$r\"") &&
	dump $DB | grep -v "$id" >before.others &&
	: >fake.log &&
	pull --json >p3.json &&
	test "$(json_get p3.json .total.runs_updated)" = 1 &&
	test "$(json_get p3.json .total.runs_unchanged)" = 5 &&
	test "$(json_get p3.json .total.metrics)" = 9 &&
	test "$(grep -c get-history fake.log)" = 5 &&
	test "$(grep -c artifacts/list fake.log)" = 3 &&
	dump $DB | grep -v "$id" >after.others &&
	test_cmp before.others after.others &&
	test "$(sql $DB "SELECT status || \" \" || end_time FROM runs
		WHERE run_uuid = \"$id\"")" = "FINISHED 1795000300000" &&
	test "$(sql $DB "SELECT value FROM tags WHERE run_uuid = \"$id\"
		AND key = \"note\"")" = best &&
	same_as_server
'

test_expect_success JQ,PYTHON3 'a late value of an ended run: --full reads it' '
	r=$(sed -n 1p team.runs) &&
	fake_post fake runs/log-metric "{\"run_id\":\"$r\",\"key\":\"auc\",
		\"value\":0.25,\"timestamp\":1795000001200,\"step\":1}" \
		>/dev/null &&
	dump $DB >before.dump &&
	: >fake.log &&
	pull --json >f0.json &&
	test "$(json_get f0.json .total.runs_unchanged)" = 6 &&
	test "$(json_get f0.json .total.runs_reread)" = 0 &&
	! grep get-history fake.log &&
	dump $DB >after.dump &&
	test_cmp before.dump after.dump &&
	! same_as_server >/dev/null &&
	pull --full --json >f1.json &&
	test "$(json_get f1.json .status)" = ok &&
	test "$(json_get f1.json .total.runs_reread)" = 6 &&
	test "$(json_get f1.json .total.runs_updated)" = 1 &&
	test "$(json_get f1.json .total.runs_unchanged)" = 5 &&
	test "$(json_get f1.json .total.metrics)" = 8 &&
	same_as_server &&
	test "$(sql $DB "SELECT count(*) FROM metrics m JOIN runs r
		USING (run_uuid) WHERE r.remote_run_id = \"$r\"
		AND key = \"auc\" AND step = 1")" = 2 &&
	test "$(sql $DB "SELECT value FROM latest_metrics l JOIN runs r
		USING (run_uuid) WHERE r.remote_run_id = \"$r\"
		AND key = \"auc\"")" = 0.91 &&
	dump $DB >before.dump &&
	pull --full --json >f2.json &&
	test "$(json_get f2.json .total.runs_reread)" = 6 &&
	test "$(json_get f2.json .total.runs_updated)" = 0 &&
	test "$(json_get f2.json .total.runs_unchanged)" = 6 &&
	dump $DB >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success JQ 'a run deleted on the server is marked deleted' '
	r=$(sed -n 3p team.runs) &&
	fake_post fake runs/delete "{\"run_id\":\"$r\"}" >/dev/null &&
	pull --json >p4.json &&
	test "$(json_get p4.json .total.runs_updated)" = 1 &&
	test "$(json_get p4.json .total.runs_deleted)" = 1 &&
	test "$(sql $DB "SELECT lifecycle_stage FROM runs
		WHERE remote_run_id = \"$r\"")" = deleted &&
	(cd proj && mmp runs list --remote --json) >l.json &&
	test "$(jq "[.runs[] | select(.remote_run_id == \"$r\")] | length" \
		l.json)" = 0 &&
	(cd proj && mmp runs list --remote --deleted --json) >l.json &&
	test "$(jq "[.runs[] | select(.remote_run_id == \"$r\")] | length" \
		l.json)" = 1
'

test_expect_success JQ 'a run restored on the server is active here again' '
	r=$(sed -n 3p team.runs) &&
	fake_post fake runs/restore "{\"run_id\":\"$r\"}" >/dev/null &&
	pull --json >rs.json &&
	test "$(json_get rs.json .total.runs_updated)" = 1 &&
	test "$(json_get rs.json .total.runs_deleted)" = 0 &&
	test "$(sql $DB "SELECT lifecycle_stage FROM runs
		WHERE remote_run_id = \"$r\"")" = active &&
	(cd proj && mmp runs list --remote --json) >l.json &&
	test "$(jq "[.runs[] | select(.remote_run_id == \"$r\")] | length" \
		l.json)" = 1 &&
	fake_post fake runs/delete "{\"run_id\":\"$r\"}" >/dev/null &&
	pull --json >rd.json &&
	test "$(json_get rd.json .total.runs_deleted)" = 1 &&
	test "$(sql $DB "SELECT lifecycle_stage FROM runs
		WHERE remote_run_id = \"$r\"")" = deleted &&
	id=$(sql $DB "SELECT run_uuid FROM runs WHERE remote_run_id = \"$r\"") &&
	(cd proj && mmp runs show $id --json) >sd.json &&
	test "$(json_get sd.json .run.lifecycle_stage)" = deleted
'

test_expect_success 'mirrored runs are read-only' '
	r=$(sed -n 1p team.runs) &&
	id=$(sql $DB "SELECT run_uuid FROM runs WHERE remote_run_id = \"$r\"") &&
	dump $DB >before.dump &&
	(cd proj &&
	 test_expect_code 1 mmp runs delete $id 2>../e1 &&
	 test_expect_code 1 mmp runs tag $id x=1 2>../e2 &&
	 test_expect_code 1 mmp runs rename $id other 2>../e3 &&
	 test_expect_code 1 mmp runs note $id hello 2>../e4 &&
	 test_expect_code 1 mmp register $id --name m 2>../e5 &&
	 test_expect_code 1 mmp sync --run $id \
		--tracking-uri "$(fake_url fake)" 2>../e6) &&
	for e in e1 e2 e3 e4 e5 e6
	do
		test_grep "$r" $e &&
		test_grep "$(fake_url fake)" $e || return 1
	done &&
	test_grep "read-only mirror" e1 &&
	test_grep "read-only mirror" e5 &&
	dump $DB >after.dump &&
	test_cmp before.dump after.dump &&
	test "$(sql $DB "SELECT count(*) FROM model_versions")" = 0
'

test_expect_success JQ 'runs pushed from here are not mirrored back' '
	store-writer $DB start --experiment mine --name local-1 \
		: param @ a=1 : metric @ m=1@0@1795000000000 : end @ FINISHED \
		>local.out &&
	head -n 1 local.out >local.id &&
	(cd proj && mmp sync -q --tracking-uri "$(fake_url fake)") &&
	pull --json >p5.json &&
	test "$(json_get p5.json ".experiments[] | select(.name == \"mine\") |
		.runs_own")" = 1 &&
	test "$(json_get p5.json ".experiments[] | select(.name == \"mine\") |
		.runs_new")" = 0 &&
	test "$(sql $DB "SELECT count(*) FROM runs WHERE name = \"local-1\"")" = 1 &&
	(cd proj && mmp runs list --local --json) >l.json &&
	test "$(jq -r "[.runs[].run_id] | join(\",\")" l.json)" = "$(cat local.id)" &&
	(cd proj && mmp runs list --remote --json) >r.json &&
	test "$(jq "[.runs[] | select(.remote | not)] | length" r.json)" = 0 &&
	test "$(jq ".runs | length" r.json)" = 5 &&
	(cd proj && test_expect_code 129 mmp runs list --local --remote 2>../err) &&
	test_grep "cannot be combined" err
'

test_expect_success JQ 'compare shows which runs are remote' '
	a=$(cat local.id) &&
	b=$(sql $DB "SELECT run_uuid FROM runs WHERE name = \"team-1\"") &&
	(cd proj && mmp runs compare $a $b --json) >c.json &&
	test "$(json_get c.json ".runs | map(.remote) | join(\",\")")" = \
		"false,true" &&
	test "$(json_get c.json ".runs[1].origin")" = "$(fake_url fake)"
'

test_expect_success JQ '--experiment pulls only that experiment' '
	mmp init -q one &&
	(cd one && mmp sync --pull --experiment other --experiment other \
		--tracking-uri "$(fake_url fake)" --json) >e.json &&
	test "$(json_get e.json ".experiments | length")" = 1 &&
	test "$(json_get e.json ".experiments[0].name")" = other &&
	test "$(json_get e.json ".experiments[0].runs_new")" = 1 &&
	test "$(sql one/.mmp/mmp.db "SELECT name FROM runs")" = other-1
'

test_expect_success JQ 'credentials in the URI are used, never stored or shown' '
	mmp init -q cred &&
	u=$(fake_url fake | sed "s|http://|http://bob:s3cret@|") &&
	(cd cred && mmp sync --pull --experiment other --tracking-uri "$u" \
		--json) >c.json 2>c.err &&
	test "$(json_get c.json .remote)" = "$(fake_url fake)" &&
	test "$(sql cred/.mmp/mmp.db "SELECT DISTINCT origin FROM runs")" = \
		"$(fake_url fake)" &&
	! grep s3cret c.json c.err &&
	sqlite3 cred/.mmp/mmp.db .dump >cred.sql &&
	! grep s3cret cred.sql
'

test_expect_success JQ 'an unknown experiment: exit 1, nothing written' '
	mmp init -q none &&
	dump none/.mmp/mmp.db >before.dump &&
	(cd none && test_expect_code 1 mmp sync --pull --experiment other \
		--experiment nope --tracking-uri "$(fake_url fake)" --json \
		>../n.json 2>../err) &&
	test_grep "^error: cannot pull from .*: the server has no experiment .nope." err &&
	test "$(json_get n.json .status)" = failed &&
	test "$(json_get n.json .error_class)" = not-found &&
	dump none/.mmp/mmp.db >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success JQ 'a run deleted before it was ever mirrored stays away' '
	mmp init -q fresh &&
	(cd fresh && mmp sync --pull -q --tracking-uri "$(fake_url fake)") &&
	r=$(sed -n 3p team.runs) &&
	test "$(sql fresh/.mmp/mmp.db "SELECT count(*) FROM runs
		WHERE remote_run_id = \"$r\"")" = 0 &&
	test "$(sql fresh/.mmp/mmp.db "SELECT count(*) FROM runs
		WHERE origin IS NOT NULL")" = 6
'

test_expect_success JQ '--dry-run counts and writes nothing' '
	mmp init -q dry &&
	dump dry/.mmp/mmp.db >before.dump &&
	(cd dry && mmp sync --pull --dry-run --tracking-uri "$(fake_url fake)" \
		--json) >d.json &&
	test "$(json_get d.json .dry_run)" = true &&
	test "$(json_get d.json .total.runs_seen)" = 7 &&
	test "$(json_get d.json .total.runs_new)" = 6 &&
	test "$(json_get d.json .total.runs_deleted)" = 0 &&
	test "$(json_get d.json .total.metrics)" = 0 &&
	dump dry/.mmp/mmp.db >after.dump &&
	test_cmp before.dump after.dump &&
	test "$(sql dry/.mmp/mmp.db "SELECT count(*) FROM sync_remotes")" = 0
'

test_expect_success JQ 'unreachable server and 403: clear errors, nothing written' '
	mmp init -q bad &&
	dump bad/.mmp/mmp.db >before.dump &&
	(cd bad && test_expect_code 1 mmp sync --pull --retries 0 \
		--tracking-uri http://127.0.0.1:1 --json >../u.json 2>../err) &&
	test_grep "^error: cannot pull from .http://127.0.0.1:1.: " err &&
	test "$(json_get u.json .error_class)" = refused &&
	fake_start denied --mode permission &&
	(cd bad && test_expect_code 1 mmp sync --pull --retries 0 \
		--tracking-uri "$(fake_url denied)" --json >../d.json \
		2>../err) &&
	test_grep "403" err &&
	test "$(json_get d.json .error_class)" = permission &&
	fake_start text403 --mode denied &&
	(cd bad && test_expect_code 1 mmp sync --pull --retries 0 \
		--tracking-uri "$(fake_url text403)" 2>../err) &&
	test_grep "Permission denied" err &&
	dump bad/.mmp/mmp.db >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success JQ 'a run removed for good on the server is marked deleted' '
	r=$(sed -n 4p team.runs) &&
	fake_post fake runs/delete "{\"run_id\":\"$r\"}" >/dev/null &&
	curl -sf -X POST "$(fake_url fake)/__fake/gc" >gc.json &&
	test "$(json_get gc.json .removed)" = 2 &&
	id=$(sql $DB "SELECT run_uuid FROM runs WHERE remote_run_id = \"$r\"") &&
	: >fake.log &&
	pull --dry-run --json >g0.json &&
	test "$(json_get g0.json .total.runs_gone)" = 1 &&
	test "$(sql $DB "SELECT lifecycle_stage FROM runs
		WHERE run_uuid = \"$id\"")" = active &&
	pull --json >g1.json &&
	test "$(json_get g1.json .total.runs_gone)" = 1 &&
	test "$(json_get g1.json ".experiments[] | select(.name == \"team\") |
		.runs_gone")" = 1 &&
	test "$(grep -c "GET /api/2.0/mlflow/runs/get" fake.log)" = 2 &&
	test "$(sql $DB "SELECT lifecycle_stage FROM runs
		WHERE run_uuid = \"$id\"")" = deleted &&
	test "$(sql $DB "SELECT count(*) FROM params
		WHERE run_uuid = \"$id\"")" = 2 &&
	pull --json >g2.json &&
	test "$(json_get g2.json .total.runs_gone)" = 0
'

test_expect_success 'usage errors' '
	(cd proj &&
	 test_expect_code 129 mmp sync --experiment team 2>../err1 &&
	 test_expect_code 129 mmp sync --pull --run x 2>../err2 &&
	 test_expect_code 129 mmp sync --full 2>../err3) &&
	test_grep "needs --pull" err1 &&
	test_grep "cannot be combined" err2 &&
	test_grep "^error: --full needs --pull" err3
'

# fail ROUTE RUN STATUS TIMES: the server refuses ROUTE for RUN
fail() {
	curl -sf -X POST -d "{\"route\":\"$1\",\"run_id\":\"$2\",
		\"status\":$3,\"times\":$4}" "$(fake_url arts)/__fake/fail" \
		>/dev/null
}

# arts_dump: the rows of the store in arts/ a pull writes
arts_dump() {
	dump arts/.mmp/mmp.db &&
	sql arts/.mmp/mmp.db "SELECT remote_run_id,
		mirror_artifacts_error IS NULL FROM runs ORDER BY remote_run_id"
}

test_expect_success JQ 'set up: a server that refuses some artifact lists' '
	fake_start arts &&
	t=$(fake_post arts experiments/create "{\"name\":\"team\"}" |
		jq -r .experiment_id) &&
	for i in 1 2 3
	do
		r=$(new_run arts $t "a-$i" $((1795000000000 + i))) &&
		echo $r >>arts.runs &&
		fake_post arts runs/log-batch "{\"run_id\":\"$r\",
			\"params\":[{\"key\":\"i\",\"value\":\"$i\"}],
			\"metrics\":[{\"key\":\"m\",\"value\":0.$i,\"timestamp\":1,\"step\":0}],
			\"tags\":[{\"key\":\"team\",\"value\":\"fraud\"}]}" \
			>/dev/null &&
		put_artifact arts $t $r report.json "{}" &&
		fake_post arts runs/update "{\"run_id\":\"$r\",\"status\":\"FINISHED\",
			\"end_time\":$((1795000100000 + i))}" >/dev/null || return 1
	done &&
	mmp init -q arts
'

test_expect_success JQ 'a refused artifact list: the run is mirrored without it, exit 2' '
	a1=$(sed -n 1p arts.runs) && a2=$(sed -n 2p arts.runs) &&
	a3=$(sed -n 3p arts.runs) &&
	fail artifacts/list $a1 500 -1 &&
	fail artifacts/list $a2 403 -1 &&
	: >arts.log &&
	(cd arts && test_expect_code 2 mmp sync --pull --retries 1 --json \
		--tracking-uri "$(fake_url arts)" >../u1.json 2>../u1.err) &&
	test "$(json_get u1.json .status)" = partial &&
	test "$(json_get u1.json .total.runs_new)" = 3 &&
	test "$(json_get u1.json .total.runs_artifacts_unknown)" = 2 &&
	test "$(json_get u1.json .total.artifacts)" = 1 &&
	test "$(json_get u1.json ".artifacts_unknown | length")" = 2 &&
	test "$(json_get u1.json ".artifacts_unknown[0].remote_run_id")" = $a1 &&
	test "$(json_get u1.json ".artifacts_unknown[0].error_class")" = server-error &&
	test "$(json_get u1.json ".artifacts_unknown[0].run_name")" = a-1 &&
	test "$(json_get u1.json ".artifacts_unknown[0].experiment")" = team &&
	test "$(json_get u1.json ".artifacts_unknown[1].remote_run_id")" = $a2 &&
	test "$(json_get u1.json ".artifacts_unknown[1].error_class")" = permission &&
	id1=$(json_get u1.json ".artifacts_unknown[0].run_id") &&
	test "$(sql arts/.mmp/mmp.db "SELECT remote_run_id FROM runs
		WHERE run_uuid = \"$id1\"")" = $a1 &&
	test "$(grep -c "^warning: " u1.err)" = 2 &&
	test_grep "^warning: run $a1 .a-1. of experiment .team.: its artifact list is unknown, the next pull reads it again: list the artifacts: http 500 .server-error.: .* .after 2 attempts.$" u1.err &&
	test_grep "^warning: run $a2 .a-2. of experiment .team.: its artifact list is unknown, the next pull reads it again: list the artifacts: http 403 .permission.: Permission denied; this user may not read it: ask for READ permission$" u1.err &&
	test "$(grep -c "GET /api/2.0/mlflow/artifacts/list" arts.log)" = 4 &&
	test "$(sql arts/.mmp/mmp.db "SELECT r.name, count(p.key),
		(SELECT count(*) FROM metrics m WHERE m.run_uuid = r.run_uuid),
		(SELECT count(*) FROM tags t WHERE t.run_uuid = r.run_uuid),
		(SELECT count(*) FROM artifacts a WHERE a.run_uuid = r.run_uuid),
		r.mirror_artifacts_error IS NOT NULL
		FROM runs r JOIN params p USING (run_uuid) GROUP BY r.run_uuid
		ORDER BY r.name")" = "$(printf "%s\n" "a-1|1|1|3|0|1" \
		"a-2|1|1|3|0|1" "a-3|1|1|3|1|0")" &&
	(cd arts && mmp runs show $id1 --json) >s1.json &&
	test "$(json_get s1.json ".run.params.i")" = 1
'

test_expect_success JQ 'still refused: warned again, nothing rewritten' '
	arts_dump >before.dump &&
	(cd arts && test_expect_code 2 mmp sync --pull --retries 0 --json \
		--tracking-uri "$(fake_url arts)" >../u2.json 2>../u2.err) &&
	test "$(json_get u2.json .status)" = partial &&
	test "$(json_get u2.json .total.runs_unchanged)" = 3 &&
	test "$(json_get u2.json .total.runs_reread)" = 2 &&
	test "$(json_get u2.json .total.runs_updated)" = 0 &&
	test "$(json_get u2.json .total.runs_artifacts_unknown)" = 2 &&
	test "$(grep -c "^warning: " u2.err)" = 2 &&
	arts_dump >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success JQ 'listed again once the server allows it' '
	a1=$(sed -n 1p arts.runs) && a2=$(sed -n 2p arts.runs) &&
	fail artifacts/list $a1 500 0 &&
	fail artifacts/list $a2 403 0 &&
	(cd arts && mmp sync --pull --retries 0 --json \
		--tracking-uri "$(fake_url arts)" >../u3.json 2>../u3.err) &&
	test "$(json_get u3.json .status)" = ok &&
	test "$(json_get u3.json .total.runs_updated)" = 2 &&
	test "$(json_get u3.json .total.runs_artifacts_unknown)" = 0 &&
	test "$(json_get u3.json ".artifacts_unknown | length")" = 0 &&
	! grep "^warning: " u3.err &&
	test "$(sql arts/.mmp/mmp.db "SELECT count(*) FROM artifacts")" = 3 &&
	test "$(sql arts/.mmp/mmp.db "SELECT count(mirror_artifacts_error)
		FROM runs")" = 0 &&
	: >arts.log &&
	(cd arts && mmp sync --pull -q --tracking-uri "$(fake_url arts)") &&
	! grep artifacts/list arts.log
'

test_expect_success JQ 'a refused list keeps the one an earlier pull read' '
	a3=$(sed -n 3p arts.runs) &&
	fail artifacts/list $a3 403 -1 &&
	(cd arts && test_expect_code 2 mmp sync --pull --full --retries 0 \
		--tracking-uri "$(fake_url arts)" >../u4.out 2>../u4.err) &&
	test_grep "^  artifacts unknown  *1$" u4.out &&
	test_grep "^warning: run $a3 .a-3. of experiment .team.: its artifact list is unknown" u4.err &&
	test "$(sql arts/.mmp/mmp.db "SELECT a.path FROM artifacts a
		JOIN runs r USING (run_uuid) WHERE r.remote_run_id = \"$a3\"")" = \
		report.json &&
	test "$(sql arts/.mmp/mmp.db "SELECT mirror_artifacts_error FROM runs
		WHERE remote_run_id = \"$a3\"")" != ""
'

test_expect_success JQ 'sync status: pulled only, not pushed' '
	before=$(($(date +%s) * 1000 - 600000)) &&
	(cd arts && mmp sync status --tracking-uri "$(fake_url arts)" \
		--json) >st.json &&
	test "$(json_get st.json .known)" = false &&
	test "$(json_get st.json .last_push_time)" = 0 &&
	test "$(json_get st.json .pull.known)" = true &&
	test "$(json_get st.json .pull.experiments)" = 2 &&
	test "$(json_get st.json .pull.experiments_partway)" = 0 &&
	test "$(json_get st.json .pull.runs_mirrored)" = 3 &&
	test "$(json_get st.json .pull.runs_deleted)" = 0 &&
	test "$(json_get st.json .pull.runs_artifacts_unknown)" = 1 &&
	t=$(json_get st.json .pull.last_pull_time) &&
	test "$t" -gt $before &&
	test "$t" -le $((($(date +%s) + 1) * 1000)) &&
	(cd arts && mmp sync status --tracking-uri "$(fake_url arts)") >st.txt &&
	test_grep "^last complete push: never$" st.txt &&
	test_grep "^last complete pull: 20[0-9-]*T[0-9:]*Z$" st.txt &&
	test_grep "^mirrored: 3 runs .0 deleted there. of 2 experiments$" st.txt &&
	test_grep "^artifact lists unknown: 1 runs .the next pull reads them again.$" st.txt
'

test_expect_success JQ 'sync status: pushed and pulled, and neither' '
	(cd proj && mmp sync status --tracking-uri "$(fake_url fake)" \
		--json) >sp.json &&
	test "$(json_get sp.json .known)" = true &&
	test "$(json_get sp.json .pull.known)" = true &&
	test "$(json_get sp.json .pull.experiments)" = 4 &&
	test "$(json_get sp.json .pull.runs_mirrored)" = 6 &&
	test "$(json_get sp.json .pull.runs_deleted)" = 2 &&
	test "$(json_get sp.json .pull.runs_artifacts_unknown)" = 0 &&
	(cd none && mmp sync status --tracking-uri "$(fake_url fake)" \
		--json) >sn.json &&
	test "$(json_get sn.json .known)" = false &&
	test "$(json_get sn.json .pull.known)" = false &&
	test "$(json_get sn.json .pull.last_pull_time)" = 0 &&
	test "$(json_get sn.json .pull.runs_mirrored)" = 0 &&
	(cd none && mmp sync status --tracking-uri "$(fake_url fake)") >sn.txt &&
	test_grep "^last complete pull: never$" sn.txt &&
	! grep "^mirrored:" sn.txt
'

# pull_bg NAME DIR: mmp sync --pull from server NAME into the store in DIR,
# in the background; its pid in bg.pid
pull_bg() {
	(cd "$2" && exec mmp sync --pull --retries 0 \
		--tracking-uri "$(fake_url "$1")") >bg.out 2>bg.err &
	echo $! >bg.pid
	test_bg_register $!
}

# resume: a pull killed between pages goes on from the page it reached
# and ends with the store an uninterrupted pull makes
test_expect_success JQ 'killed -9 between pages, a pull resumes' '
	fake_start slow --page-size 1 --stall-after runs/search:4 &&
	t=$(fake_post slow experiments/create "{\"name\":\"team\"}" |
		jq -r .experiment_id) &&
	for i in 1 2 3 4 5 6
	do
		r=$(new_run slow $t "run-$i" $((1795000000000 + i))) &&
		fake_post slow runs/log-batch "{\"run_id\":\"$r\",
			\"params\":[{\"key\":\"i\",\"value\":\"$i\"}],
			\"metrics\":[{\"key\":\"m\",\"value\":0.$i,\"timestamp\":1,\"step\":$i},
			{\"key\":\"m\",\"value\":1.$i,\"timestamp\":2,\"step\":$((i + 1))}]}" \
			>/dev/null || return 1
	done &&
	mmp init -q killed &&
	pull_bg slow killed &&
	wait_for_line slow.log "runs/search" 4 &&
	sleep 0.2 &&
	kill -9 $(cat bg.pid) &&
	{ wait $(cat bg.pid) 2>/dev/null; true; } &&
	mid=$(sql killed/.mmp/mmp.db "SELECT count(*) FROM runs
		WHERE origin IS NOT NULL") &&
	test "$mid" -ge 2 && test "$mid" -le 4 &&
	test -n "$(sql killed/.mmp/mmp.db "SELECT page_token FROM sync_pull
		WHERE name = \"team\"")" &&
	(cd killed && mmp sync status --tracking-uri "$(fake_url slow)" \
		--json) >ks.json &&
	test "$(json_get ks.json .pull.experiments_partway)" = 1 &&
	test "$(json_get ks.json .pull.runs_mirrored)" = $mid &&
	(cd killed && mmp sync status --tracking-uri "$(fake_url slow)") >ks.txt &&
	test_grep "^stopped part-way: 1 experiments .the next pull goes on.$" ks.txt &&
	(cd killed && mmp sync --pull --retries 0 --json \
		--tracking-uri "$(fake_url slow)") >k.json &&
	test "$(json_get k.json ".experiments[] | select(.name == \"team\") |
		.resumed")" = true &&
	test "$(json_get k.json ".experiments[] | select(.name == \"team\") |
		.pages")" -lt 7 &&
	mmp init -q whole &&
	(cd whole && mmp sync --pull --retries 0 -q \
		--tracking-uri "$(fake_url slow)") &&
	dump killed/.mmp/mmp.db >killed.dump &&
	dump whole/.mmp/mmp.db >whole.dump &&
	test_cmp whole.dump killed.dump &&
	test "$(sql whole/.mmp/mmp.db "SELECT count(*) FROM runs
		WHERE origin IS NOT NULL")" = 6 &&
	(cd killed && mmp sync --pull --retries 0 --json \
		--tracking-uri "$(fake_url slow)") >k2.json &&
	test "$(json_get k2.json .total.runs_unchanged)" = 6 &&
	test "$(json_get k2.json ".experiments[] | select(.name == \"team\") |
		.resumed")" = false
'

test_done
