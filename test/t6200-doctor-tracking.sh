#!/bin/sh
# t6200-doctor-tracking: classify what a tracking server answers, against
# the loopback fake MLflow server in each of its failure modes

. "$(dirname "$0")/test-lib.sh"

# serve MODE [ARGS...]: a fake tracking server; its URL goes to url.txt
serve() {
	mode=$1
	shift
	start_bg fake fake-tracking --mode "$mode" --port 0 --max-seconds 60 \
		"$@" &&
	echo "http://127.0.0.1:$(cat fake.port)" >url.txt
}

doctor_tracking() {
	mmp -c "doctor.ports=[]" -c serve.port=0 doctor -v --check tracking \
		--tracking-uri "$(cat url.txt)" "$@"
}

test_expect_success 'healthy: /health, /version and the API answer' '
	serve healthy --experiment mmp-demo &&
	doctor_tracking >out &&
	test_grep "^ok    tracking   MLflow at $(cat url.txt) answers /health, /version and the REST API$" out &&
	test_grep "^      - tracking uri: $(cat url.txt) \(from --tracking-uri\)$" out &&
	test_grep "^      - dns: 127\.0\.0\.1 resolves to 127\.0\.0\.1$" out &&
	test_grep "^      - tcp: connected to 127\.0\.0\.1 port $(cat fake.port) in" out &&
	test_grep "^      - GET /health: http 200 in" out &&
	test_grep "^      - server version: MLflow 2\.10\.2;" out &&
	test_grep "^      - experiment .Default. exists$" out
'

test_expect_success 'the experiment named in the config is looked up' '
	mmp -c experiment.name=mmp-demo -c "doctor.ports=[]" doctor -v \
		--check tracking --tracking-uri "$(cat url.txt)" >out &&
	test_grep "experiment .mmp-demo. exists" out &&
	mmp -c experiment.name=not-yet -c "doctor.ports=[]" doctor -v \
		--check tracking --tracking-uri "$(cat url.txt)" >out &&
	test_grep "^ok    tracking" out &&
	test_grep "experiment .not-yet. does not exist yet; mmp sync creates it" out
'

test_expect_success 'MLFLOW_TRACKING_URI is used, with its origin' '
	MLFLOW_TRACKING_URI=$(cat url.txt) mmp -c "doctor.ports=[]" doctor -v \
		--check tracking >out &&
	test_grep "^ok    tracking" out &&
	test_grep "tracking uri: $(cat url.txt) \(from env:MLFLOW_TRACKING_URI\)" out
'

test_expect_success 'healthy: the artifact proxy is ok' '
	mmp doctor -v --check artifacts --tracking-uri "$(cat url.txt)" >out &&
	test_grep "^ok    artifacts  artifact_location .mlflow-artifacts:/0. is proxied by the tracking server" out &&
	test_grep "experiment .Default. does not exist yet|experiment artifact_location: mlflow-artifacts:/0" out
'

test_expect_success 'a local artifact_location this client can write is ok' '
	mkdir arts &&
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"local\",\"artifact_location\":\"$PWD/arts\"}" &&
	mmp -c experiment.name=local doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^ok    artifacts  artifact_location .$PWD/arts.: a temporary file was written, read back and removed$" out &&
	test -z "$(ls -A arts)"
'

test_expect_success NOT_ROOT 'a read-only artifact directory fails' '
	mkdir ro && chmod 555 ro &&
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"ro\",\"artifact_location\":\"file://$PWD/ro\"}" &&
	test_expect_code 1 mmp -c experiment.name=ro doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^fail  artifacts  artifact_location .$PWD/ro. is not writable: cannot create a file in" out &&
	test_grep "fix: start the tracking server with artifact proxying \(mlflow server --serve-artifacts\)" out
'

test_expect_success 'a read-only artifact directory fails, also for root' '
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"proc\",\"artifact_location\":\"/proc/self\"}" &&
	test_expect_code 1 mmp -c experiment.name=proc doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^fail  artifacts  artifact_location ./proc/self. is not writable" out &&
	test_grep "fix: start the tracking server with artifact proxying" out
'

test_expect_success 'a storage URI the client would write directly fails' '
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"gs\",\"artifact_location\":\"gs://bucket/mlflow\"}" &&
	test_expect_code 1 mmp -c experiment.name=gs doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^fail  artifacts  artifact_location .gs://bucket/mlflow. is storage the client must write directly" out &&
	test_grep "fix: .*--serve-artifacts --artifacts-destination .gs://bucket/mlflow." out
'

test_expect_success 'an s3:// location without credentials says where they go' '
	curl -sf "$(cat url.txt)/api/2.0/mlflow/experiments/create" \
		-H "Content-Type: application/json" \
		-d "{\"name\":\"s3\",\"artifact_location\":\"s3://bucket/mlflow\"}" &&
	test_expect_code 1 mmp -c experiment.name=s3 doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^fail  artifacts  no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them under \\[default\\] in $HOME/.aws/credentials" out &&
	test_grep "fix: give this client the bucket.s credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile \\(AWS_PROFILE\\) in ~/.aws/credentials or ~/.aws/config with keys, a role, SSO or credential_process" out
'

test_expect_success 'serve: a server answering /health is probed' '
	mmp doctor -v --check serve --serve-url "$(cat url.txt)" >out &&
	test_grep "^ok    serve      $(cat url.txt) serves an unnamed model; probe latency [0-9.]+ ms$" out &&
	test_grep "latency of GET /health over 5 probes: median [0-9.]+ ms" out &&
	stop_bg fake
'

test_expect_success 'refused: nothing listens on the port' '
	port=$(cat fake.port) &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   connection refused by 127\.0\.0\.1 port $port: nothing listens there$" out &&
	test_grep "fix: start the tracking server \(mlflow server --host 127\.0\.0\.1 --port $port\)" out &&
	test_expect_code 1 mmp doctor --check serve --serve-url "$(cat url.txt)" >out &&
	test_grep "^fail  serve      GET $(cat url.txt)/health: .*" out &&
	test_grep "fix: nothing listens there: start it \(mmp serve-api" out
'

test_expect_success 'airplay: empty 403 with Server: AirTunes' '
	serve airplay &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 403 from /health with AirTunes/[0-9.]+: this looks like macOS AirPlay Receiver, not MLflow$" out &&
	test_grep "how to tell: curl -si .* shows 403, an empty body and a .Server: AirTunes" out &&
	test_grep "fix: turn off AirPlay Receiver \(System Settings > General > AirDrop & Handoff\)" out &&
	stop_bg fake
'

test_expect_success 'an empty 403 from another server is not called AirPlay' '
	serve forbidden &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 403 from /health with an empty body$" out &&
	test_grep "fix: something in front of MLflow \(a proxy or gateway\) refused the request" out &&
	! grep -i "airplay" out &&
	stop_bg fake
'

test_expect_success 'hostcheck: MLflow 3.x rejects the Host header' '
	serve hostcheck &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 403 from /api/2\.0/mlflow/experiments/get-by-name: .Invalid Host header - possible DNS rebinding attack detected.: the server rejects the Host header .127\.0\.0\.1:$(cat fake.port)." out &&
	test_grep "fix: start the server with --allowed-hosts .127\.0\.0\.1,127\.0\.0\.1:$(cat fake.port). \(or set MLFLOW_SERVER_ALLOWED_HOSTS\)" out &&
	test_grep "version skew: server MLflow 3\.1\.0" out &&
	stop_bg fake
'

test_expect_success 'hostcheck with the host allowed: only the 3.x skew warning' '
	serve hostcheck --allowed-hosts 127.0.0.1 &&
	doctor_tracking >out &&
	test_grep "^warn  tracking   version skew: server MLflow 3\.1\.0 is a newer major version" out &&
	stop_bg fake
'

test_expect_success 'basicauth: 401 names the variables, never their values' '
	serve basicauth --user alice --password s3cr3t-pw &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 401 from /version: the server wants credentials \(Basic realm=\"mlflow\"\)$" out &&
	test_grep "^      - MLFLOW_TRACKING_USERNAME is not set$" out &&
	test_grep "fix: mmp reads MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD \(HTTP basic auth\) or MLFLOW_TRACKING_TOKEN" out &&
	MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=wrong-pw \
		test_expect_code 1 doctor_tracking --json >out.json &&
	test_grep "MLFLOW_TRACKING_PASSWORD is set" out.json &&
	test_grep -v "wrong-pw" out.json &&
	MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=s3cr3t-pw \
		doctor_tracking >out &&
	test_grep "^ok    tracking   MLflow at" out &&
	test_grep -v "s3cr3t-pw" out &&
	stop_bg fake
'

test_expect_success 'permission: 403 JSON PERMISSION_DENIED' '
	serve permission &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 403 from /api/2\.0/mlflow/experiments/get-by-name: permission denied: Permission denied$" out &&
	test_grep "fix: the credentials were accepted but this user may not use the experiment" out &&
	stop_bg fake
'

test_expect_success 'prefix: HTML 404 on the API means a wrong base URL' '
	serve prefix --prefix /mlflow &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   http 404 \(HTML\) from /api/2\.0/mlflow/experiments/get-by-name: no MLflow API at this base URL$" out &&
	test_grep "the MLflow API answers under $(cat url.txt)/mlflow$" out &&
	test_grep "fix: set tracking\.uri \(or MLFLOW_TRACKING_URI\) to $(cat url.txt)/mlflow$" out &&
	mmp -c "doctor.ports=[]" doctor --check tracking \
		--tracking-uri "$(cat url.txt)/mlflow" >out &&
	test_grep "^ok    tracking   MLflow at $(cat url.txt)/mlflow answers" out &&
	stop_bg fake
'

test_expect_success 'artifacts-local: a server-side path the client cannot reach' '
	serve artifacts-local --artifact-location /mlflow-nowhere/artifacts &&
	test_expect_code 1 mmp doctor --check artifacts \
		--tracking-uri "$(cat url.txt)" >out &&
	test_grep "^fail  artifacts  artifact_location ./mlflow-nowhere/artifacts/0. is a path on the server.s filesystem that does not exist here" out &&
	test_grep "fix: start the tracking server with artifact proxying \(mlflow server --serve-artifacts --artifacts-destination" out &&
	stop_bg fake
'

test_expect_success 'oldversion: 2.3.0 is version skew, a warning' '
	serve oldversion &&
	doctor_tracking >out &&
	test_grep "^warn  tracking   version skew: server MLflow 2\.3\.0 is older than the 2\.10 protocol" out &&
	test_grep "fix: upgrade the tracking server to MLflow 2\.10 or newer" out &&
	stop_bg fake
'

test_expect_success 'an MLflow older than 2.3 fails' '
	serve healthy --server-version 1.30.0 &&
	test_expect_code 1 doctor_tracking >out &&
	test_grep "^fail  tracking   MLflow 1\.30\.0 is too old for mmp" out &&
	stop_bg fake
'

test_expect_success 'TLS to a plain-HTTP server is a TLS failure' '
	serve healthy &&
	test_expect_code 1 mmp -c "doctor.ports=[]" doctor --check tracking \
		--tracking-uri "https://127.0.0.1:$(cat fake.port)" >out &&
	test_grep "^fail  tracking   /health https://127\.0\.0\.1:$(cat fake.port)/health: " out &&
	test_grep "fix: TLS failed: use http:// if the server speaks plain HTTP" out &&
	stop_bg fake
'

test_expect_success 'a server that accepts but never answers times out' '
	start_bg mute listen 127.0.0.1 0 &&
	test_expect_code 1 mmp -c "doctor.ports=[]" doctor --check tracking \
		--tracking-uri "http://127.0.0.1:$(cat mute.port)" >out &&
	test_grep "^fail  tracking   /health http://127\.0\.0\.1:$(cat mute.port)/health: .*[Tt]imeout|timed out" out &&
	test_grep "fix: the server accepted the connection but sent no answer within 3000 ms" out &&
	stop_bg mute
'

test_expect_success 'a malformed or non-http tracking URI fails' '
	test_expect_code 1 mmp -c "doctor.ports=[]" doctor --check tracking \
		--tracking-uri "ftp://127.0.0.1/x" >out &&
	test_grep "^fail  tracking   unsupported scheme .ftp. in url .ftp://127\.0\.0\.1/x.: use http or https$" out &&
	test_grep "fix: set tracking\.uri or MLFLOW_TRACKING_URI to an http:// or https:// URL" out
'

# a server answering every GET with 500 and an error whose message holds
# ESC [31m, BEL, CR and the C1 control U+009B
cat >evil.py <<\EOF
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b'{"error_code":"PERMISSION_DENIED","message":'
                b'"no\x1b[31m red\x07\r\xc2\x9b"}')
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("port=%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF

test_expect_success 'what a server or the config holds is escaped, never raw' '
	start_bg_within 30 evil /usr/bin/python3 evil.py &&
	test_expect_code 1 mmp -c "doctor.ports=[]" doctor -v \
		--check tracking \
		--tracking-uri "http://127.0.0.1:$(cat evil.port)" >out &&
	stop_bg evil &&
	test_grep "^fail  tracking   http 500 from /health: PERMISSION_DENIED: no.x1b\[31m red.x07.r.u009b$" out &&
	test_grep "^      - http 500 from /health: PERMISSION_DENIED: no.x1b" out &&
	test_expect_code 1 mmp -c "doctor.ports=[]" doctor --check tracking \
		--tracking-uri "http://127.0.0.1:1/$(printf "x\033[31m")" >>out &&
	test_grep "^fail  tracking   malformed url .http://127.0.0.1:1/x.x1b\[31m.$" out &&
	! grep -q "$(printf "\033")" out &&
	! grep -q "$(printf "\007")" out &&
	! grep -q "$(printf "\r")" out &&
	! grep -q "$(printf "\302\233")" out
'

test_expect_success 'no tracking server configured is ok' '
	mmp -c "doctor.ports=[]" doctor --check tracking --check artifacts >out &&
	test_grep "^ok    tracking   no tracking server configured" out &&
	test_grep "^ok    artifacts  no tracking server configured" out
'

test_done
