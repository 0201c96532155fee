#!/bin/sh
# SPDX-License-Identifier: MIT
# lazy-sonames.sh: the compiler flags naming the libraries mmp opens on
# first use: the SONAME each one has on this build machine, and the
# Debian package that ships it (for "install ..." in a load error).
#
#   scripts/lazy-sonames.sh CC NAME=lib... ...
#   scripts/lazy-sonames.sh cc XGBOOST=xgboost CURL=curl
#   -> -DMMP_SONAME_XGBOOST=\"libxgboost.so.0\" -DMMP_PACKAGE_XGBOOST=...
# (quotes escaped for the shell that runs the compiler)
cc=$1
shift
for pair in "$@"; do
	name=${pair%%=*}
	lib=${pair#*=}
	dev=$("$cc" -print-file-name="lib$lib.so" 2>/dev/null)
	soname=
	if [ -e "$dev" ]; then
		soname=$(readelf -d "$dev" 2>/dev/null |
			sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	fi
	# without the development link the build fails at the headers
	# anyway; the plain name keeps the flags well formed
	[ -n "$soname" ] || soname=lib$lib.so
	pkg=
	if [ -e "$dev" ] && command -v dpkg-query >/dev/null 2>&1; then
		real=$(dirname "$(readlink -f "$dev")")/$soname
		pkg=$(dpkg-query -S "$real" 2>/dev/null | sed -n '1s/[:,].*//p')
	fi
	printf -- '-DMMP_SONAME_%s=\\"%s\\" -DMMP_PACKAGE_%s=\\"%s\\" ' \
		"$name" "$soname" "$name" "$pkg"
done
echo
