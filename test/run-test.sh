#!/bin/sh
# run-test.sh: prove's --exec: shell test scripts run under sh, binaries exec
case "$1" in
*.sh) exec "${TEST_SHELL_PATH:-/bin/sh}" "$@" ;;
*) exec "$@" ;;
esac
