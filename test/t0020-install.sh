#!/bin/sh
# t0020-install: make install puts the binary, library, headers, man pages
# and pkg-config file in place, and a program builds against them

. "$(dirname "$0")/test-lib.sh"

test_expect_success NOT_SANITIZED 'make install into a staging directory' '
	make -s -C "$SRC_DIR" install DESTDIR="$PWD/stage" PREFIX=/usr/local >out 2>&1 &&
	P="$PWD/stage/usr/local" &&
	test -x "$P/bin/mmp" &&
	test -f "$P/lib/libmmp.a" &&
	test -f "$P/lib/libmmp.so.0" &&
	test -h "$P/lib/libmmp.so" &&
	test -f "$P/include/mmp.h" &&
	test -f "$P/include/mmp/store.h" &&
	test -f "$P/share/man/man1/mmp.1" &&
	test -f "$P/share/man/man1/mmp-train.1" &&
	test -f "$P/share/man/man5/mmp-recipe.5" &&
	test -f "$P/lib/pkgconfig/mmp.pc"
'

test_expect_success NOT_SANITIZED 'the installed binary runs' '
	stage/usr/local/bin/mmp --version >v &&
	head -n 1 v | grep "^mmp version "
'

test_expect_success NOT_SANITIZED 'pkg-config describes the library' '
	PKG_CONFIG_PATH="$PWD/stage/usr/local/lib/pkgconfig" \
		pkg-config --modversion mmp >ver &&
	grep -E "^[0-9]+\.[0-9]+\.[0-9]+$" ver &&
	PKG_CONFIG_PATH="$PWD/stage/usr/local/lib/pkgconfig" \
		pkg-config --cflags mmp | grep -- "-I/usr/local/include"
'

test_expect_success NOT_SANITIZED 'a program builds and runs against the installed library' '
	cat >prog.c <<-\EOF &&
	#include <stdio.h>
	#include <mmp.h>
	int main(void)
	{
		mmp_buf b = MMP_BUF_INIT;
		mmp_buf_printf(&b, "mmp %s", mmp_version());
		puts(b.ptr);
		mmp_buf_dispose(&b);
		return 0;
	}
	EOF
	I="$PWD/stage/usr/local" &&
	cc -std=c99 -pedantic -Wall -Werror -I"$I/include" -o prog prog.c \
		-L"$I/lib" -lmmp &&
	LD_LIBRARY_PATH="$I/lib" ./prog >out &&
	grep -E "^mmp [0-9]+\.[0-9]+\.[0-9]+$" out
'

test_expect_success NOT_SANITIZED 'the installed library opens XGBoost and the others on use' '
	cat >deps.c <<-\EOF &&
	#include <stdio.h>
	#include <mmp.h>
	int main(void)
	{
		mmp_dep_version v[16];
		size_t i, n = mmp_dep_versions(v, 16);
		for (i = 0; i < n && i < 16; i++)
			printf("%s %s\n", v[i].name, v[i].version);
		mmp_global_shutdown();
		return 0;
	}
	EOF
	I="$PWD/stage/usr/local" &&
	cc -std=c99 -pedantic -Wall -Werror -I"$I/include" -o deps deps.c \
		-L"$I/lib" -lmmp &&
	LD_LIBRARY_PATH="$I/lib" ./deps >out &&
	mmp version >want &&
	sed 1d want >want.libs &&
	test_cmp want.libs out
'

test_done
