#!/bin/sh
# t3360-models-dockerfile: the build context mmp models dockerfile writes,
# and the command line its image runs, run here on a loopback port

. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/helpers/serve-lib.sh"

test_expect_success 'a registered model in Staging' '
	mmp init -q proj &&
	(cd proj &&
	 mmp train --recipe recipes/breast-cancer.yaml \
		--set model.num_boost_round=10 --json >../train.json 2>/dev/null &&
	 mmp register "$(json_get ../train.json .run_id)" --name cancer >/dev/null &&
	 mmp promote cancer v1 Staging >/dev/null 2>&1)
'

test_expect_success JQ 'write the context' '
	(cd proj && mmp models dockerfile cancer@Staging ../ctx --json >../d.json) &&
	test "$(json_get d.json .name)" = cancer &&
	test "$(json_get d.json .version)" = 1 &&
	test "$(json_get d.json .stage)" = Staging &&
	test "$(json_get d.json .base_image)" = debian:bookworm-slim &&
	test "$(json_get d.json .port)" = 8000 &&
	test -f ctx/Dockerfile && test -f ctx/README.md &&
	test -x ctx/mmp && cmp ctx/mmp "$(command -v mmp)" &&
	test -f ctx/model/MLmodel && test -f ctx/model/registry.json &&
	test "$(json_get ctx/model/registry.json .name)" = cancer
'

test_expect_success 'the Dockerfile: slim Debian, packages, non-root, health' '
	D=ctx/Dockerfile &&
	grep -x "FROM debian:bookworm-slim" $D &&
	grep -x "RUN apt-get update \\\\" $D &&
	grep -x " && apt-get install -y --no-install-recommends \\\\" $D &&
	grep -x " && rm -rf /var/lib/apt/lists/\*" $D &&
	grep "^RUN useradd --system --uid 10001 " $D &&
	grep -x "USER mmp" $D &&
	test $(grep -n "^USER mmp" $D | cut -d: -f1) -gt $(grep -n "^COPY model" $D | cut -d: -f1) &&
	! grep -i "^USER root" $D &&
	grep -x "COPY model /srv/model" $D &&
	grep -x "COPY mmp /usr/local/bin/mmp" $D &&
	grep -x "EXPOSE 8000" $D &&
	grep -A1 "^HEALTHCHECK " $D | grep -x "  CMD curl -fsS http://127.0.0.1:8000/health || exit 1" &&
	sed -n "s/^CMD //p" $D >cmd.json &&
	test "$(jq -r "join(\" \")" cmd.json)" = \
		"mmp serve-api --model-dir /srv/model --host 0.0.0.0 --port 8000 --token-file /run/secrets/mmp-token"
'

test_expect_success NOT_SANITIZED 'the packages hold every library the binary needs' '
	sed -n "/apt-get install/,/rm -rf/p" ctx/Dockerfile |
		sed -n "s/^      \([a-z0-9.+-]*\) \\\\$/\1/p" >pkgs &&
	test_line_count = 10 pkgs &&
	for p in $(cat pkgs); do
		echo $p &&
		dpkg-query -W -f="\${Depends}\n" $p 2>/dev/null |
			tr "," "\n" | sed "s/^ *//; s/[ :].*//; s/|.*//"
	done | sort -u >allowed &&
	printf "libc6\nlibgcc-s1\nlibstdc++6\n" >>allowed &&
	objdump -p ctx/mmp | sed -n "s/^ *NEEDED *//p" >needed &&
	test -s needed &&
	for lib in $(cat needed); do
		path=$(ldconfig -p | sed -n "s/^	$lib .*=> //p" | head -n 1) &&
		pkg=$({ dpkg -S "$path" 2>/dev/null ||
			dpkg -S "$(readlink -f "$path")"; } |
			head -n 1 | sed "s/[:].*//") &&
		grep -qx "$pkg" allowed || { echo "$lib ($pkg) not installed" >&2; return 1; }
	done
'

test_expect_success 'the README says how to build and run it with a token' '
	grep -x "    docker build -t cancer:v1 ." ctx/README.md &&
	grep -x "        -v \"\$PWD/token:/run/secrets/mmp-token:ro\" cancer:v1" ctx/README.md &&
	grep "docker run -d --name cancer -p 127.0.0.1:8000:8000" ctx/README.md &&
	! grep -ri "bearer [A-Za-z0-9+/]\{20,\}" ctx/Dockerfile ctx/README.md
'

test_expect_success 'the image command serves the model, token required' '
	printf "s3cret-token\n" >token &&
	jq -r ".[]" cmd.json | sed -e "s|^mmp\$|$PWD/ctx/mmp|" \
		-e "s|^/srv/model\$|$PWD/ctx/model|" -e "s|^0.0.0.0\$|127.0.0.1|" \
		-e "s|^8000\$|0|" -e "s|^/run/secrets/mmp-token\$|$PWD/token|" >argv &&
	test "$(head -n 1 argv)" = "$PWD/ctx/mmp" &&
	(cd / && env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		$(cat "$TRASH_DIRECTORY/argv" | tr "\n" " ") \
		2>"$TRASH_DIRECTORY/img.err" & echo $! >"$TRASH_DIRECTORY/img.pid") &&
	test_bg_register $(cat img.pid) &&
	i=0 && while ! grep -q "^serving model" img.err && test $i -lt 300
	do sleep 0.1; i=$((i + 1)); done &&
	port=$(sed -n "s/^serving model .* on http:.*:\([0-9][0-9]*\)$/\1/p" img.err) &&
	test -n "$port" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:$port/health)" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:$port/openapi.json)" = 401 &&
	row=$(head -n 2 proj/recipes/data/breast_cancer.csv | tail -n 1) &&
	hdr=$(head -n 1 proj/recipes/data/breast_cancer.csv) &&
	/usr/bin/python3 -c "import json,sys; h=sys.argv[1].split(\",\"); v=sys.argv[2].split(\",\"); print(json.dumps({k: float(x) for k, x in zip(h, v) if k != \"target\"}))" "$hdr" "$row" >rec.json &&
	curl -s -o pred.json -w "%{http_code}" -H "Authorization: Bearer s3cret-token" \
		-H "Content-Type: application/json" --data-binary @rec.json \
		http://127.0.0.1:$port/predict >code &&
	test "$(cat code)" = 200 &&
	jq -e ".predictions | length == 1" pred.json &&
	kill $(cat img.pid) && i=0 &&
	while kill -0 $(cat img.pid) 2>/dev/null && test $i -lt 100
	do sleep 0.1; i=$((i + 1)); done &&
	! kill -0 $(cat img.pid) 2>/dev/null
'

test_expect_success 'a context is not written twice, a bad ref writes nothing' '
	(cd proj && test_expect_code 1 mmp models dockerfile cancer@Staging ../ctx 2>../err) &&
	grep "already holds a build context" err &&
	(cd proj && test_expect_code 1 mmp models dockerfile cancer@Production ../ctx2 2>../err) &&
	grep "no version in stage Production" err &&
	! test -e ctx2/Dockerfile &&
	(cd proj && test_expect_code 129 mmp models dockerfile cancer@Staging 2>/dev/null)
'

test_done
