/* SPDX-License-Identifier: MIT */
/* tap.c: TAP output for C unit tests */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static int planned = -1, run, failed;
static char tmpdir[256];

void plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
}

static void vtitle(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	putchar('\n');
}

static int report(int cond, const char *file, int line, const char *fmt,
	va_list ap)
{
	run++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", run);
	vtitle(fmt, ap);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

int ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = report(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

int is_int_at(long long got, long long want, const char *file, int line,
	const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = report(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#        got: %lld\n#   expected: %lld\n", got, want);
	return r;
}

int is_str_at(const char *got, const char *want, const char *file, int line,
	const char *fmt, ...)
{
	va_list ap;
	int r, same = (!got && !want) || (got && want && !strcmp(got, want));

	va_start(ap, fmt);
	r = report(same, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#        got: '%s'\n#   expected: '%s'\n",
			got ? got : "(null)", want ? want : "(null)");
	return r;
}

int is_double_at(double got, double want, double tol, const char *file,
	int line, const char *fmt, ...)
{
	va_list ap;
	int r, same = fabs(got - want) <= tol ||
		(isnan(got) && isnan(want));

	va_start(ap, fmt);
	r = report(same, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#        got: %.17g\n#   expected: %.17g (tolerance %g)\n",
			got, want, tol);
	return r;
}

void skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++run, why);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void remove_tmpdir(void)
{
	char cmd[300];

	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

const char *tap_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/mmp-unit-XXXXXX",
			base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

int done_testing(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (planned != run)
		printf("# planned %d tests but ran %d\n", planned, run);
	return failed || (planned >= 0 && planned != run) ? 1 : 0;
}
