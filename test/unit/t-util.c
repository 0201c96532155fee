/* SPDX-License-Identifier: MIT */
/* t-util.c: buffers, errors, sha256, paths, strings, atomic writes */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmp.h"
#include "util/util.h"
#include "tap.h"

static void test_buf(void)
{
	mmp_buf b = MMP_BUF_INIT;
	char *s;
	int i;

	is_str(b.ptr, "", "a new buffer is the empty string");
	mmp_buf_puts(&b, "abc");
	mmp_buf_putc(&b, '-');
	mmp_buf_printf(&b, "%d:%s", 42, "x");
	is_str(b.ptr, "abc-42:x", "puts, putc and printf append");
	for (i = 0; i < 1000; i++)
		mmp_buf_printf(&b, "%04d", i);
	is_int((long long)b.size, 8 + 4000, "long appends grow the buffer");
	mmp_buf_truncate(&b, 3);
	mmp_buf_puts(&b, "  \n");
	mmp_buf_rtrim(&b);
	is_str(b.ptr, "abc", "truncate and rtrim");
	s = mmp_buf_detach(&b);
	is_str(s, "abc", "detach hands the string over");
	is_str(b.ptr, "", "the buffer is reset after detach");
	free(s);
	mmp_buf_dispose(&b);
}

static void test_errors(void)
{
	mmp_error_clear();
	is_int(mmp_error_last()->klass, MMP_ERROR_NONE, "no error at first");
	is_int(mmp_error_set(MMP_ERROR_STORE, "cannot open '%s'", "x"),
		MMP_ERROR, "error_set returns MMP_ERROR");
	is_str(mmp_error_last()->message, "cannot open 'x'", "message kept");
	mmp_error_prefix("store '%s'", "/s");
	is_str(mmp_error_last()->message, "store '/s': cannot open 'x'",
		"prefix prepends context");
	is_str(mmp_error_class_name(mmp_error_last()->klass), "store",
		"class name");
	mmp_error_clear();
	is_str(mmp_error_last()->message, "no error", "clear resets");
}

static void test_sha256(void)
{
	char hex[65];
	mmp_sha256_ctx c;
	unsigned char d[32];
	static char big[1000000];

	mmp_sha256_buf_hex(hex, "", 0);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		"7852b855", "sha256 of the empty string");
	mmp_sha256_buf_hex(hex, "abc", 3);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
		"f20015ad", "sha256 of 'abc'");
	memset(big, 'a', sizeof(big));
	mmp_sha256_init(&c);
	mmp_sha256_update(&c, big, 1);
	mmp_sha256_update(&c, big + 1, 63);
	mmp_sha256_update(&c, big + 64, sizeof(big) - 64);
	mmp_sha256_final(&c, d);
	mmp_sha256_hex(hex, d);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39cc"
		"c7112cd0", "sha256 of a million 'a' fed in pieces");
}

static void test_paths(void)
{
	mmp_buf b = MMP_BUF_INIT;
	char path[600], hex[65];
	const char *tmp = tap_tmpdir();

	mmp_path_absolute(&b, "/a/./b//c/../d");
	is_str(b.ptr, "/a/b/d", "absolute path is normalised");
	mmp_buf_clear(&b);
	mmp_path_join(&b, "dir/", "file");
	is_str(b.ptr, "dir/file", "join adds one slash");
	mmp_buf_clear(&b);
	mmp_path_join(&b, "dir", "/abs");
	is_str(b.ptr, "/abs", "join keeps an absolute second part");
	mmp_buf_clear(&b);
	mmp_path_dirname(&b, "a/b/c.yaml");
	is_str(b.ptr, "a/b", "dirname");
	mmp_buf_clear(&b);

	snprintf(path, sizeof(path), "%s/x/y/z", tmp);
	is_int(mmp_mkdir_p(path, 0777), 0, "mkdir -p creates parents");
	ok(mmp_path_is_dir(path), "the directory exists");
	snprintf(path, sizeof(path), "%s/x/y/z/f.txt", tmp);
	is_int(mmp_file_write_atomic(path, "hello\n", 6), 0, "atomic write");
	is_int(mmp_file_read(&b, path, 0), 0, "read back");
	is_str(b.ptr, "hello\n", "content round trip");
	mmp_buf_clear(&b);
	is_int(mmp_file_read(&b, path, 3), MMP_EINVALID,
		"a file over the read limit is refused");
	ok(strstr(mmp_error_last()->message, "too large") != NULL,
		"the message says it is too large");
	is_int(mmp_sha256_file(hex, path), 0, "sha256 of a file");
	is_str(hex, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e8"
		"46f6be03", "file digest matches sha256sum");
	snprintf(path, sizeof(path), "%s/missing", tmp);
	is_int(mmp_file_read(&b, path, 0), MMP_ENOTFOUND,
		"a missing file is ENOTFOUND");
	snprintf(path, sizeof(path), "%s/x", tmp);
	is_int(mmp_rm_rf(path), 0, "rm -rf");
	ok(!mmp_path_exists(path), "the tree is gone");
	mmp_buf_dispose(&b);
}

static void test_strings(void)
{
	static const char *const keys[] = { "model", "data", "evaluation" };
	char out[32];
	int64_t i;
	double d;

	is_str(mmp_str_closest("modle", keys, 3), "model", "closest match");
	ok(mmp_str_closest("zzzzzzzz", keys, 3) == NULL,
		"nothing close enough");
	is_int((long long)mmp_str_distance("kitten", "sitting"), 3,
		"edit distance");
	is_int(mmp_parse_int64("123", &i), 0, "parse int");
	is_int(i, 123, "int value");
	is_int(mmp_parse_int64("12x", &i), MMP_EINVALID, "trailing junk");
	is_int(mmp_parse_double("1e-3", &d), 0, "parse double");
	is_int(mmp_parse_double("", &d), MMP_EINVALID, "empty is invalid");
	mmp_fmt_double(out, 0.1);
	is_str(out, "0.1", "shortest round-trip format");
	mmp_fmt_double(out, 1.0 / 3.0);
	is_str(out, "0.3333333333333333", "as many digits as needed");
	mmp_fmt_double(out, NAN);
	is_str(out, "NaN", "NaN spelled as MLflow does");
	mmp_fmt_double(out, 200);
	is_str(out, "200", "whole numbers in fixed notation");
	mmp_fmt_double(out, 1e15);
	is_str(out, "1000000000000000", "up to 1e16 in fixed notation");
	mmp_fmt_double(out, 1e16);
	is_str(out, "1e+16", "from 1e16 on in exponent notation");
	mmp_fmt_double(out, 0.00025);
	is_str(out, "0.00025", "small values in fixed notation from 1e-4");
	mmp_fmt_double(out, 2.5e-05);
	is_str(out, "2.5e-05", "smaller ones in exponent notation");
	mmp_fmt_double(out, -1234500);
	is_str(out, "-1234500", "negative whole numbers");
	mmp_fmt_float(out, 0.1f);
	is_str(out, "0.1", "float32 0.1 is 0.1");
	mmp_fmt_float(out, 300.0f);
	is_str(out, "300", "float32 whole numbers in fixed notation");
	mmp_fmt_float(out, 0.97829396f);
	is_str(out, "0.97829396", "float32 needs up to 9 digits");
}

int main(void)
{
	char id[33];

	test_buf();
	test_errors();
	test_sha256();
	test_paths();
	test_strings();
	is_int(mmp_uuid_hex(id), 0, "random run id");
	is_int((long long)strspn(id, "0123456789abcdef"), 32,
		"32 lowercase hex digits");
	return done_testing();
}
