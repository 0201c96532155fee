/* SPDX-License-Identifier: MIT */
/* t-s3.c: the S3 client's parsers, addressing and credential lookup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "mmp.h"
#include "remote/s3-internal.h"
#include "util/util.h"

#define SECRET "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

static int creds(char **id, char **sec, char **tok, const char *text,
	const char *profile)
{
	return mmp_s3__credentials_parse(id, sec, tok, text, strlen(text),
		"/h/.aws/credentials", profile);
}

static void wipe3(char *a, char *b, char *c)
{
	free(a);
	free(b);
	free(c);
}

static void test_credentials(void)
{
	char *id, *sec, *tok;
	const char *file =
		"# shared credentials\n"
		"[default]\n"
		"aws_access_key_id = AKIADEFAULT\n"
		"aws_secret_access_key=" SECRET "\n"
		"\n"
		"; another\n"
		"[ team ]\r\n"
		"  aws_access_key_id\t= AKIATEAM  \r\n"
		"aws_secret_access_key = s2\r\n"
		"aws_session_token = tok/en+==\r\n"
		"[profile cfg]\n"
		"aws_access_key_id = AKIACFG\n"
		"aws_secret_access_key = s3\n"
		"[half]\n"
		"aws_access_key_id = AKIAHALF\n";

	is_int(creds(&id, &sec, &tok, file, "default"), 0, "default profile");
	is_str(id, "AKIADEFAULT", "its key id");
	is_str(sec, SECRET, "its secret");
	ok(!tok, "no token");
	wipe3(id, sec, tok);

	is_int(creds(&id, &sec, &tok, file, "team"), 0, "named profile, CRLF");
	is_str(id, "AKIATEAM", "key id trimmed");
	is_str(sec, "s2", "secret trimmed");
	is_str(tok, "tok/en+==", "session token kept whole");
	wipe3(id, sec, tok);

	is_int(creds(&id, &sec, &tok, file, "cfg"), 0, "[profile NAME]");
	is_str(id, "AKIACFG", "config-style section");
	wipe3(id, sec, tok);

	is_int(creds(&id, &sec, &tok, file, "nope"), MMP_ENOTFOUND,
		"a missing profile");
	is_str(mmp_error_last()->message,
		"/h/.aws/credentials has no profile 'nope'", "names it");
	ok(!id && !sec && !tok, "nothing returned");

	is_int(creds(&id, &sec, &tok, file, "half"), MMP_EINVALID,
		"a profile without a secret");
	is_str(mmp_error_last()->message, "/h/.aws/credentials: profile "
		"'half' needs both aws_access_key_id and "
		"aws_secret_access_key", "says which keys");

	is_int(creds(&id, &sec, &tok, "[default]\naws_access_key_id = A\n"
		"aws_secret_access_key " SECRET "\n", "default"),
		MMP_EINVALID, "a line without '='");
	is_str(mmp_error_last()->message, "/h/.aws/credentials:3: expected "
		"'key = value' or '[profile]'", "names file and line");
	ok(!strstr(mmp_error_last()->message, SECRET),
		"the line's secret is not in the message");

	is_int(creds(&id, &sec, &tok, "[default\n", "default"), MMP_EINVALID,
		"an open section header");
	is_str(mmp_error_last()->message, "/h/.aws/credentials:1: a section "
		"header must end with ']'", "names the line");
	is_int(creds(&id, &sec, &tok, "", "default"), MMP_ENOTFOUND,
		"an empty file");
}

static void test_list(void)
{
	const char *page =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
		"2006-03-01/\"><Name>b</Name><Prefix>p/r/</Prefix>"
		"<IsTruncated>true</IsTruncated>"
		"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36"
		"Hy4vbOwM=</NextContinuationToken>"
		"<Contents><Key>p/r/model/MLmodel</Key><Size>312</Size>"
		"<ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag>"
		"</Contents>"
		"<Contents><Key>p/r/a &amp; b&#x2F;c&lt;&#62;.txt</Key>"
		"<Size>0</Size></Contents>"
		"<Contents><Key>elsewhere</Key><Size>1</Size></Contents>"
		"</ListBucketResult>";
	mmp_s3_object *o = NULL;
	size_t n = 0, alloc = 0;
	int trunc;
	char *next;

	is_int(mmp_s3__list_parse(&o, &n, &alloc, &trunc, &next, page,
		strlen(page), "p/r/"), 0, "a listing page parses");
	is_int((long long)n, 2, "keys outside the prefix are skipped");
	is_str(o[0].key, "model/MLmodel", "key relative to the prefix");
	is_int((long long)o[0].size, 312, "size");
	is_str(o[0].etag, "0123456789abcdef0123456789abcdef",
		"etag without quotes");
	is_str(o[1].key, "a & b/c<>.txt", "entities decoded");
	is_str(o[1].etag, "", "no etag");
	ok(trunc, "truncated");
	is_str(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
		"continuation token");
	free(next);
	mmp_s3_objects_free(o, n);

	o = NULL;
	n = alloc = 0;
	is_int(mmp_s3__list_parse(&o, &n, &alloc, &trunc, &next,
		"<html>proxy</html>", 18, ""), MMP_ENET,
		"an answer that is no listing");
	is_int(mmp_s3__list_parse(&o, &n, &alloc, &trunc, &next,
		"<ListBucketResult><Contents><Key>k</Key></Contents>"
		"</ListBucketResult>", 70, ""), MMP_ENET, "an entry without size");
	is_int(mmp_s3__list_parse(&o, &n, &alloc, &trunc, &next,
		"<ListBucketResult><IsTruncated>true</IsTruncated>"
		"</ListBucketResult>", 68, ""), MMP_ENET,
		"truncated without a token");
	mmp_s3_objects_free(o, n);
}

static void test_error_and_date(void)
{
	char *code, *msg;
	const char *body = "<?xml version=\"1.0\"?><Error><Code>"
		"SignatureDoesNotMatch</Code><Message>The request signature "
		"we calculated does not match</Message></Error>";

	mmp_s3__error_parse(&code, &msg, body, strlen(body));
	is_str(code, "SignatureDoesNotMatch", "error code");
	is_str(msg, "The request signature we calculated does not match",
		"error message");
	free(code);
	free(msg);
	mmp_s3__error_parse(&code, &msg, "<html/>", 7);
	ok(!code && !msg, "no <Error>, nothing");
	body = "<Error><Code>Bad\x1b[31m</Code><Message>a&#10;b&#x7;"
		"</Message></Error>";
	mmp_s3__error_parse(&code, &msg, body, strlen(body));
	is_str(code, "Bad?[31m", "no escape sequence from the server");
	is_str(msg, "a?b?", "no decoded control characters either");
	free(code);
	free(msg);

	is_int(mmp_s3__http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777,
		"RFC 7231 date");
	is_int(mmp_s3__http_date("Sat, 05 Dec 2026 07:04:34 GMT"),
		1796454274, "a date in 2026");
	is_int(mmp_s3__http_date("Sun, 06 Foo 1994 08:49:37 GMT"), 0,
		"a bad month");
	is_int(mmp_s3__http_date("yesterday"), 0, "not a date");
	is_int(mmp_s3__http_date("Tue, 31 Feb 2026 08:49:37 GMT"), 0,
		"Feb 31 is no date");
	is_int(mmp_s3__http_date("Tue, 05 Dec 2026 24:00:00 GMT"), 0,
		"hour 24 is no time");
}

static void test_addressing(void)
{
	mmp_s3_options o = MMP_S3_OPTIONS_INIT;
	mmp_s3 *s = NULL;
	mmp_buf b = MMP_BUF_INIT;
	char *bucket, *key;

	mmp_s3__escape_key(&b, "1/run id/artifacts/a+b=c~d_e.f%");
	is_str(b.ptr, "1/run%20id/artifacts/a%2Bb%3Dc~d_e.f%25",
		"keys escaped as S3 signs them");
	mmp_buf_clear(&b);
	mmp_s3__escape_key(&b, "/a//\xc3\xa9 b/");
	is_str(b.ptr, "/a//%C3%A9%20b/",
		"empty segments and UTF-8 bytes in a key");
	mmp_buf_clear(&b);

	is_int(mmp_s3_uri_split(&bucket, &key, "s3://mlflow/art/1/"), 0,
		"split an s3 uri");
	is_str(bucket, "mlflow", "bucket");
	is_str(key, "art/1", "key without slashes around");
	free(bucket);
	free(key);
	is_int(mmp_s3_uri_split(&bucket, &key, "s3://ab"), MMP_EINVALID,
		"a bucket name too short");
	is_int(mmp_s3_uri_split(&bucket, &key, "gs://bucket/x"), MMP_EINVALID,
		"another scheme");
	is_str(mmp_error_last()->message, "'gs://bucket/x' is not an s3:// "
		"location", "says so");

	unsetenv("MLFLOW_S3_ENDPOINT_URL");
	unsetenv("AWS_REGION");
	setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
	o.access_key_id = "AKIAUNIT";
	o.secret_access_key = SECRET;
	is_int(mmp_s3_open(&s, "s3://team-models/mlflow", &o), 0,
		"open for AWS");
	mmp_s3__url(&b, s, "mlflow/1/x y", NULL);
	is_str(b.ptr, "https://team-models.s3.eu-west-3.amazonaws.com/"
		"mlflow/1/x%20y", "virtual-host style on AWS");
	mmp_s3__url(&b, s, NULL, "list-type=2&prefix=a%2F");
	is_str(b.ptr, "https://team-models.s3.eu-west-3.amazonaws.com/"
		"?list-type=2&prefix=a%2F", "bucket url");
	is_str(mmp_s3_credentials_source(s), "options", "credential source");
	mmp_s3_free(s);

	is_int(mmp_s3_open(&s, "s3://team.models/x", &o), 0, "dotted bucket");
	mmp_s3__url(&b, s, "x/k", NULL);
	is_str(b.ptr, "https://s3.eu-west-3.amazonaws.com/team.models/x/k",
		"path style for a bucket name with dots");
	mmp_s3_free(s);

	setenv("MLFLOW_S3_ENDPOINT_URL", "http://127.0.0.1:9000/", 1);
	is_int(mmp_s3_open(&s, "s3://Bucket_1/p", &o), 0, "open for MinIO");
	mmp_s3__url(&b, s, "p/k", "uploads=");
	is_str(b.ptr, "http://127.0.0.1:9000/Bucket_1/p/k?uploads=",
		"path style at the endpoint");
	is_str(mmp_s3_location(s), "s3://Bucket_1/p", "location");
	mmp_s3_free(s);

	setenv("MLFLOW_S3_ENDPOINT_URL", "ftp://127.0.0.1/", 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", &o), MMP_EINVALID,
		"an endpoint that is not http");
	ok(strstr(mmp_error_last()->message, "MLFLOW_S3_ENDPOINT_URL") != NULL,
		"names the variable: %s", mmp_error_last()->message);
	unsetenv("MLFLOW_S3_ENDPOINT_URL");

	setenv("AWS_DEFAULT_REGION", "eu west", 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", &o), MMP_EINVALID,
		"a malformed region");
	unsetenv("AWS_DEFAULT_REGION");
	mmp_buf_dispose(&b);
}

static void test_credential_lookup(void)
{
	mmp_s3 *s = NULL;
	mmp_buf path = MMP_BUF_INIT, want = MMP_BUF_INIT;
	FILE *f;

	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", tap_tmpdir(), 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), MMP_ENOTFOUND,
		"no credentials anywhere");
	mmp_buf_printf(&want, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
		"AWS_SECRET_ACCESS_KEY, or write them under [default] in "
		"%s/.aws/credentials (or a role, SSO or credential_process "
		"profile in %s/.aws/config); instance metadata is off "
		"(AWS_EC2_METADATA_DISABLED)", tap_tmpdir(), tap_tmpdir());
	is_str(mmp_error_last()->message, want.ptr, "says where to put them");

	mmp_buf_printf(&path, "%s/.aws", tap_tmpdir());
	mmp_mkdir_p(path.ptr, 0700);
	mmp_buf_puts(&path, "/credentials");
	f = fopen(path.ptr, "w");
	fputs("[default]\naws_access_key_id=AKIAFILE\n"
		"aws_secret_access_key=" SECRET "\n[ci]\n"
		"aws_access_key_id=AKIACI\naws_secret_access_key=x\n", f);
	fclose(f);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), 0, "from the file");
	mmp_buf_clear(&want);
	mmp_buf_printf(&want, "profile 'default' in %s", path.ptr);
	is_str(mmp_s3_credentials_source(s), want.ptr, "source named");
	mmp_s3_free(s);

	setenv("AWS_PROFILE", "ci", 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), 0, "AWS_PROFILE");
	ok(strstr(mmp_s3_credentials_source(s), "profile 'ci'") != NULL,
		"the profile chosen");
	mmp_s3_free(s);
	setenv("AWS_PROFILE", "gone", 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), MMP_ENOTFOUND,
		"a profile not in the file");
	unsetenv("AWS_PROFILE");

	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), MMP_EINVALID,
		"a key id without its secret");
	is_str(mmp_error_last()->message, "AWS_ACCESS_KEY_ID is set but "
		"AWS_SECRET_ACCESS_KEY is not: set both", "says so");
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	is_int(mmp_s3_open(&s, "s3://bucket/p", NULL), 0,
		"the environment wins over the file");
	is_str(mmp_s3_credentials_source(s), "AWS_ACCESS_KEY_ID and "
		"AWS_SECRET_ACCESS_KEY", "source named");
	mmp_s3_free(s);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	mmp_buf_dispose(&path);
	mmp_buf_dispose(&want);
}

static void test_ini(void)
{
	mmp_s3__ini ini;
	const mmp_s3__ini_entry *e;
	const char *text =
		"# comment\n"
		"[default]\n"
		"region = eu-west-1\n"
		"s3 =\n"
		"  addressing_style = path\n"
		"\tmax_concurrent_requests=4\n"
		"Output = json\n"
		"; other\n"
		"[ profile   dev ]  # a note\n"
		"region=us-east-2\n"
		"region = ap-south-1\n"
		"credential_process = /bin/x \"a b\"\n"
		"[sso-session corp]\n"
		"sso_region =\n";

	is_int(mmp_s3__ini_parse(&ini, text, strlen(text), "/h/config"), 0,
		"a config file parses");
	ok(mmp_s3__ini_has(&ini, "default"), "[default]");
	ok(mmp_s3__ini_has(&ini, "profile dev"), "blanks squeezed, note cut");
	ok(mmp_s3__ini_has(&ini, "sso-session corp"), "[sso-session NAME]");
	ok(!mmp_s3__ini_has(&ini, "dev"), "no bare name");
	e = mmp_s3__ini_get(&ini, "default", "region");
	is_str(e ? e->value : NULL, "eu-west-1", "a value");
	is_int(e ? e->line : 0, 3, "its line");
	e = mmp_s3__ini_get(&ini, "default", "s3.addressing_style");
	is_str(e ? e->value : NULL, "path", "a nested key");
	e = mmp_s3__ini_get(&ini, "default", "s3.max_concurrent_requests");
	is_str(e ? e->value : NULL, "4", "a nested key after a tab");
	ok(!mmp_s3__ini_get(&ini, "default", "addressing_style"),
		"nested keys stay nested");
	e = mmp_s3__ini_get(&ini, "default", "output");
	is_str(e ? e->value : NULL, "json", "keys are lower case; nesting "
		"ends at an unindented line");
	e = mmp_s3__ini_get(&ini, "profile dev", "region");
	is_str(e ? e->value : NULL, "ap-south-1", "the last value wins");
	e = mmp_s3__ini_get(&ini, "profile dev", "credential_process");
	is_str(e ? e->value : NULL, "/bin/x \"a b\"", "quotes kept");
	e = mmp_s3__ini_get(&ini, "sso-session corp", "sso_region");
	is_str(e ? e->value : NULL, "", "an empty value at the end");
	mmp_s3__ini_release(&ini);

	is_int(mmp_s3__ini_parse(&ini, "x = 1\n[default]\n", 16, "/h/c"),
		MMP_EINVALID, "a key before any section");
	is_str(mmp_error_last()->message, "/h/c:1: 'key = value' before any "
		"[section]", "names file and line");
	is_int(mmp_s3__ini_parse(&ini, "[a]\n[b] x\n", 10, "/h/c"),
		MMP_EINVALID, "text after a section header");
	is_str(mmp_error_last()->message, "/h/c:2: a section header must end "
		"with ']'", "names the line");
	is_int(mmp_s3__ini_parse(&ini, "[a]\nk = v\0w\n", 11, "/h/c"),
		MMP_EINVALID, "a NUL byte");
	is_str(mmp_error_last()->message, "/h/c:2: a NUL byte in the file",
		"names the line");
}

static void test_split(void)
{
	char **v;

	is_int(mmp_s3__split_command(&v, "  /usr/bin/vault  'a b' "
		"\"c \\\"d\\\" $e\" f\\ g '' x\"y\"z "), 0,
		"a command line splits");
	is_str(v[0], "/usr/bin/vault", "the program");
	is_str(v[1], "a b", "single quotes");
	is_str(v[2], "c \"d\" $e", "double quotes, escapes, no expansion");
	is_str(v[3], "f g", "a backslash outside quotes");
	is_str(v[4], "", "an empty word");
	is_str(v[5], "xyz", "quotes inside a word");
	ok(!v[6], "NULL ended");
	mmp_s3__argv_free(v);
	is_int(mmp_s3__split_command(&v, "a 'b"), MMP_EINVALID,
		"an open quote");
	is_int(mmp_s3__split_command(&v, "   "), MMP_EINVALID, "nothing");
}

static int cj(mmp_s3__creds *c, const char *json, int process,
	const char *what)
{
	return mmp_s3__creds_json(c, json, strlen(json), process, what);
}

static int sj(mmp_s3__creds *c, const char *json, const char *what)
{
	return mmp_s3__sso_parse(c, json, strlen(json), what);
}

static void test_answers(void)
{
	mmp_s3__creds c;
	const char *sts =
		"<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		"<AccessKeyId>ASIAX</AccessKeyId>"
		"<SecretAccessKey>" SECRET "</SecretAccessKey>"
		"<SessionToken>tok&amp;en</SessionToken>"
		"<Expiration>2026-12-05T11:00:00Z</Expiration>"
		"</Credentials></AssumeRoleResult></AssumeRoleResponse>";
	const char *err =
		"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied"
		"</Code><Message>not\nallowed</Message></Error></ErrorResponse>";

	is_int((long long)mmp_s3__iso8601("2026-12-05T11:00:00Z"),
		1796468400LL, "ISO 8601");
	is_int((long long)mmp_s3__iso8601("2026-12-05T12:00:00.123+01:00"),
		1796468400LL, "fractions and an offset");
	is_int((long long)mmp_s3__iso8601("2026-12-05T11:00:00UTC"),
		1796468400LL, "an SSO cache's UTC");
	is_int((long long)mmp_s3__iso8601("2026-12-05 11:00:00Z"), -1,
		"not ISO 8601");
	is_int((long long)mmp_s3__iso8601("2026-12-05T11:00:00"), -1,
		"no zone");
	/* refused since the one ISO 8601 parser reads them: fields the
	 * scanf-based reader took with blanks or signs, days past the end of
	 * their month, offsets past 23:59 */
	is_int((long long)mmp_s3__iso8601("2026-12- 5T11:00:00Z"), -1,
		"a blank in the day");
	is_int((long long)mmp_s3__iso8601("2026-+1-05T11:00:00Z"), -1,
		"a sign in the month");
	is_int((long long)mmp_s3__iso8601("2026-02-30T11:00:00Z"), -1,
		"Feb 30");
	is_int((long long)mmp_s3__iso8601("2026-12-05T11:00:00+99:00"), -1,
		"offset +99:00");
	is_int((long long)mmp_s3__iso8601("2026-12-05T11:00:00UTC "), -1,
		"a blank after UTC");
	is_int((long long)mmp_s3__iso8601("1969-12-31T23:59:59Z"), -1,
		"before 1970");
	is_int((long long)mmp_s3__iso8601(NULL), -1, "NULL");

	is_int(mmp_s3__sts_parse(&c, sts, strlen(sts), "sts"), 0,
		"an STS answer");
	is_str(c.id, "ASIAX", "key id");
	is_str(c.secret, SECRET, "secret");
	is_str(c.token, "tok&en", "token decoded");
	is_int((long long)c.expires, 1796468400LL, "expiration");
	mmp_s3__creds_release(&c);
	is_int(mmp_s3__sts_parse(&c, err, strlen(err), "sts"), MMP_ENET,
		"an ErrorResponse");
	is_str(mmp_error_last()->message, "sts: AccessDenied: not?allowed",
		"its code and message, no control characters");

	is_int(cj(&c, "{\"Version\":1,\"AccessKeyId\":\"A\","
		"\"SecretAccessKey\":\"" SECRET "\",\"Expiration\":"
		"\"2026-12-05T11:00:00Z\"}", 1, "p"), 0,
		"a credential_process answer");
	is_str(c.secret, SECRET, "its secret");
	ok(!c.token, "no token");
	is_int((long long)c.expires, 1796468400LL, "expiration");
	mmp_s3__creds_release(&c);
	is_int(cj(&c, "{\"AccessKeyId\":\"A\","
		"\"SecretAccessKey\":\"" SECRET "\"}", 1, "p"),
		MMP_EINVALID, "no Version");
	is_str(mmp_error_last()->message, "p: 'Version' must be 1",
		"names the field");
	is_int(cj(&c, "{\"Version\":1,\"AccessKeyId\":\"A\","
		"\"SecretAccessKey\":7}", 1, "p"), MMP_EINVALID,
		"a number for a secret");
	ok(!strstr(mmp_error_last()->message, "7"), "no value in the message");
	is_int(cj(&c, "{\"Code\":\"Success\",\"AccessKeyId\":"
		"\"A\",\"SecretAccessKey\":\"S\",\"Token\":\"T\",\"Expiration\":"
		"\"2026-12-05T11:00:00Z\"}", 0, "imds"), 0,
		"a metadata answer");
	is_str(c.token, "T", "its Token");
	mmp_s3__creds_release(&c);
	is_int(cj(&c, "{\"Code\":\"Failed\"}", 0, "imds"),
		MMP_EINVALID, "a metadata failure");
	is_int(cj(&c, "{\"AccessKeyId\":\"A\","
		"\"SecretAccessKey\":\"S\"}", 0, "ecs"), MMP_EINVALID,
		"metadata without a token");
	is_str(mmp_error_last()->message, "ecs: no 'Token' in the answer",
		"names it");
	is_int(sj(&c, "{\"roleCredentials\":{\"accessKeyId\":"
		"\"A\",\"secretAccessKey\":\"S\",\"sessionToken\":\"T\","
		"\"expiration\":1796468400000}}", "sso"), 0,
		"an SSO answer");
	is_int((long long)c.expires, 1796468400LL, "expiration in ms");
	mmp_s3__creds_release(&c);
	is_int(sj(&c, "{\"roleCredentials\":{\"accessKeyId\":\"A\","
		"\"secretAccessKey\":\"S\",\"expiration\":1796468400000}}",
		"sso"), MMP_ENET, "an SSO answer without a session token");
	is_int(sj(&c, "{\"roleCredentials\":{}}", "sso"),
		MMP_ENET, "an SSO answer without credentials");
}

int main(void)
{
	mmp_global_init();
	test_credentials();
	test_list();
	test_error_and_date();
	test_addressing();
	test_credential_lookup();
	test_ini();
	test_split();
	test_answers();
	return done_testing();
}
