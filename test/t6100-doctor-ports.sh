#!/bin/sh
# t6100-doctor-ports: which process holds a port, and on which address

. "$(dirname "$0")/test-lib.sh"

# only the ports named on the command line
doctor() {
	mmp -c "doctor.ports=[]" -c serve.port=0 doctor "$@"
}

test_expect_success 'a port held by a listener fails, naming pid and process' '
	start_bg lo listen 127.0.0.1 0 &&
	port=$(cat lo.port) pid=$(cat lo.pid) &&
	test_expect_code 1 doctor --check ports --port $port >out &&
	test_grep "^fail  ports      port $port \(--port\) is taken by listen \(pid $pid\) on 127\.0\.0\.1$" out &&
	test_grep "^      fix: stop listen \(kill $pid\) or use another port" out
'

test_expect_success JQ 'the held port in --json' '
	port=$(cat lo.port) pid=$(cat lo.pid) &&
	test_expect_code 1 doctor --json --check ports --port $port >out.json &&
	test "$(json_get out.json .ok)" = false &&
	test "$(json_get out.json ".checks[0].status")" = fail &&
	json_get out.json ".checks[0].details[0]" |
		grep "^port $port (--port) is taken by listen (pid $pid) on 127.0.0.1$"
'

test_expect_success 'a listener on 127.0.0.1 only: unreachable from outside' '
	port=$(cat lo.port) &&
	doctor --check bind --port $port >out &&
	test_grep "^warn  bind       port $port: listen \(pid [0-9]+\) listens on 127\.0\.0\.1 only: unreachable from other hosts and from outside (a|this) container$" out &&
	test_grep "fix: if others must reach it, start it with --host 0\.0\.0\.0 .*docker run -p $port:$port" out
'

test_expect_success 'a free port is ok' '
	port=$(cat lo.port) &&
	stop_bg lo &&
	doctor --check ports --port $port >out &&
	test_grep "^ok    ports      free: $port$" out &&
	doctor --check bind --port $port >out &&
	test_grep "^ok    bind       no server listens on the checked ports \($port\)$" out
'

test_expect_success 'a listener on 0.0.0.0: reachable from everywhere' '
	start_bg any listen 0.0.0.0 0 &&
	port=$(cat any.port) &&
	doctor --check bind --port $port >out &&
	test_grep "^warn  bind       port $port: listen \(pid [0-9]+\) listens on 0\.0\.0\.0 \(all interfaces\): reachable from every network" out &&
	test_grep "fix: unless other hosts must reach it, bind 127\.0\.0\.1" out &&
	test_expect_code 1 doctor --check ports --port $port >out &&
	test_grep "is taken by listen \(pid $(cat any.pid)\) on 0\.0\.0\.0$" out &&
	stop_bg any
'

test_expect_success 'an IPv6 loopback listener counts as loopback' '
	if start_bg v6 listen ::1 0
	then
		port=$(cat v6.port) &&
		doctor --check bind --port $port >out &&
		test_grep "listens on ::1 only: unreachable from other hosts" out &&
		stop_bg v6
	fi
'

test_expect_success 'several ports: each one is reported' '
	start_bg a listen 127.0.0.1 0 &&
	start_bg b listen 127.0.0.1 0 &&
	pa=$(cat a.port) pb=$(cat b.port) &&
	stop_bg b &&
	test_expect_code 1 doctor -v --check ports --port $pa --port $pb >out &&
	test_grep "^fail  ports      port $pa \(--port\) is taken by listen" out &&
	test_grep "^      - port $pb \(--port\): free$" out &&
	stop_bg a
'

test_expect_success 'serve.port and doctor.ports from the config are checked' '
	start_bg c listen 127.0.0.1 0 &&
	port=$(cat c.port) &&
	test_expect_code 1 mmp -c "doctor.ports=[]" -c serve.port=$port \
		doctor --check ports >out &&
	test_grep "^fail  ports      port $port \(serve\.port\) is taken by listen" out &&
	test_expect_code 1 mmp -c "doctor.ports=[$port]" -c serve.port=0 \
		doctor --check ports >out &&
	test_grep "^fail  ports      port $port \(doctor\.ports\) is taken by listen" out &&
	stop_bg c
'

test_expect_success 'the local tracking port: served is ok, nothing there warns' '
	start_bg t listen 127.0.0.1 0 &&
	port=$(cat t.port) &&
	doctor --check ports --tracking-uri http://127.0.0.1:$port >out &&
	test_grep "^ok    ports      port $port \(tracking\.uri\) is served by listen" out &&
	stop_bg t &&
	doctor --check ports --tracking-uri http://localhost:$port >out &&
	test_grep "^warn  ports      nothing listens on port $port of the tracking server" out &&
	test_grep "fix: start the tracking server \(mlflow server --host 127\.0\.0\.1 --port $port\)" out
'

# port 5000 is held by macOS's AirPlay Receiver; on Linux it is often
# MLflow itself, so a listener there is information
test_expect_success 'port 5000 held on Linux: information, not a failure' '
	if start_bg p5 listen 127.0.0.1 5000
	then
		mmp -c "doctor.ports=[5000]" -c serve.port=0 doctor -v \
			--check ports >out &&
		test_grep "^ok    ports      port 5000 \(doctor\.ports\) is taken by listen" out &&
		test_grep "port 5000 is only checked for macOS.s AirPlay Receiver" out &&
		! grep -i "airplay receiver (process\|turn off\|AirDrop" out &&
		stop_bg p5
	fi
'

test_expect_success 'port 5000 asked for with --port: still a failure, no AirPlay advice' '
	if start_bg p5 listen 127.0.0.1 5000
	then
		test_expect_code 1 doctor --check ports --port 5000 >out &&
		test_grep "^fail  ports      port 5000 \(--port\) is taken by listen" out &&
		test_grep "fix: stop listen \(kill [0-9]+\) or use another port" out &&
		! grep -i "airplay" out &&
		stop_bg p5
	fi
'

test_done
