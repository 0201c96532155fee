/* SPDX-License-Identifier: MIT */
/* tap.h: a small Test Anything Protocol library for libmmp unit tests */
#ifndef TEST_tap_h__
#define TEST_tap_h__

#include <stddef.h>
#include <stdint.h>

void plan(int n);
/* each returns 1 when the check passed */
int ok_at(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int is_int_at(long long got, long long want, const char *file, int line,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int is_str_at(const char *got, const char *want, const char *file, int line,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int is_double_at(double got, double want, double tol, const char *file,
	int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void skip(int n, const char *why);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print the plan if none was given; return the exit status */
int done_testing(void);
/* a fresh scratch directory for this test binary (removed at exit) */
const char *tap_tmpdir(void);

#define ok(cond, ...) ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(g, w, ...) is_int_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(g, w, ...) is_str_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_double(g, w, tol, ...) \
	is_double_at((g), (w), (tol), __FILE__, __LINE__, __VA_ARGS__)

#endif
