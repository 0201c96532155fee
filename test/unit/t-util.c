/* SPDX-License-Identifier: MIT */
/* t-util.c: buffers, errors, sha256, paths, strings, JSON, atomic writes */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

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

/* print `v` as the only element of a JSON array, read it back, compare bits */
static int json_round_trips(double v, int pretty)
{
	cJSON *a = cJSON_CreateArray(), *back;
	char *text;
	double got;
	int same;

	cJSON_AddItemToArray(a, cJSON_CreateNumber(v));
	text = mmp_json_print(a, pretty);
	cJSON_Delete(a);
	back = text ? cJSON_Parse(text) : NULL;
	same = back && cJSON_IsNumber(cJSON_GetArrayItem(back, 0));
	if (same) {
		got = cJSON_GetArrayItem(back, 0)->valuedouble;
		same = !memcmp(&got, &v, sizeof(v));
	}
	if (!same)
		diag("%.17g printed as %s", v, text ? text : "(null)");
	cJSON_Delete(back);
	free(text);
	return same;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_json(void)
{
	static const double special[] = {
		0.1, 1.0 / 3.0, 0.28836946908319205, 2.0 / 3.0, 1e-7,
		123456789.12345678, 9007199254740993.0, 1e300, -1e-300,
		DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 2.2250738585072009e-308,
		4.9406564584124654e-322, 1.7976931348623157e308, 1e23,
		5e-324, 0.30000000000000004, 1795453900000.0, 0.0
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull, bits;
	size_t i, bad = 0, tried = 0;
	cJSON *doc, *o, *back;
	char *mine, *theirs;
	double v;

	for (i = 0; i < ARRAY_SIZE(special); i++) {
		ok(json_round_trips(special[i], 0), "%.17g round-trips",
			special[i]);
		ok(json_round_trips(-special[i], 1), "%.17g round-trips "
			"(formatted)", -special[i]);
	}
	/* random bit patterns: subnormals and every exponent alike */
	for (i = 0; i < 200000; i++) {
		bits = xorshift(&seed);
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		tried++;
		bad += !json_round_trips(v, (int)(i & 1));
		if (bad > 5)
			break;
	}
	is_int((long long)bad, 0, "%zu random doubles all round-trip", tried);
	/* uniform in [0, 1), as metric values mostly are */
	for (i = 0, bad = 0; i < 100000 && bad <= 5; i++)
		bad += !json_round_trips((double)(xorshift(&seed) >> 11) *
			0x1.0p-53, 0);
	is_int((long long)bad, 0, "random values in [0, 1) round-trip");

	doc = cJSON_CreateArray();
	cJSON_AddItemToArray(doc, cJSON_CreateNumber(-0.0));
	mine = mmp_json_print(doc, 0);
	is_str(mine, "[-0.0]", "-0.0 keeps its sign");
	back = cJSON_Parse(mine);
	ok(back && signbit(cJSON_GetArrayItem(back, 0)->valuedouble),
		"and reads back negative");
	cJSON_Delete(back);
	free(mine);
	cJSON_Delete(doc);

	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "nan", NAN);
	cJSON_AddNumberToObject(doc, "inf", -INFINITY);
	mine = mmp_json_print(doc, 0);
	is_str(mine, "{\"nan\":null,\"inf\":null}",
		"NaN and infinities are null, as cJSON writes them");
	free(mine);
	cJSON_Delete(doc);

	/* the layout is cJSON's, compact and formatted */
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "s", "tab\there \"q\" \\ \x01\x7f "
		"\xc3\xa9");
	cJSON_AddNumberToObject(doc, "n", 42);
	cJSON_AddNumberToObject(doc, "x", 0.5);
	cJSON_AddItemToObject(doc, "e", cJSON_CreateObject());
	cJSON_AddItemToObject(doc, "ea", cJSON_CreateArray());
	o = cJSON_AddObjectToObject(doc, "o");
	cJSON_AddItemToObject(o, "a", cJSON_CreateIntArray((const int[]){
		1, 2, 3 }, 3));
	cJSON_AddItemToObject(o, "deep", cJSON_CreateObject());
	cJSON_AddBoolToObject(cJSON_GetObjectItem(o, "deep"), "t", 1);
	cJSON_AddNullToObject(o, "z");
	cJSON_AddFalseToObject(o, "f");
	cJSON_AddRawToObject(o, "raw", "[1,2]");
	mine = mmp_json_print(doc, 1);
	theirs = cJSON_Print(doc);
	is_str(mine, theirs, "formatted like cJSON_Print");
	free(mine);
	cJSON_free(theirs);
	mine = mmp_json_print(doc, 0);
	theirs = cJSON_PrintUnformatted(doc);
	is_str(mine, theirs, "compact like cJSON_PrintUnformatted");
	free(mine);
	cJSON_free(theirs);
	cJSON_Delete(doc);

	doc = cJSON_CreateNumber(0.28836946908319205);
	mine = mmp_json_print(doc, 0);
	is_str(mine, "0.28836946908319205", "17 digits where 15 lose the "
		"value");
	free(mine);
	cJSON_Delete(doc);
	ok(mmp_json_print(NULL, 0) == NULL, "no item: NULL");
}

int main(void)
{
	char id[33];

	test_buf();
	test_errors();
	test_sha256();
	test_paths();
	test_strings();
	test_json();
	is_int(mmp_uuid_hex(id), 0, "random run id");
	is_int((long long)strspn(id, "0123456789abcdef"), 32,
		"32 lowercase hex digits");
	return done_testing();
}
