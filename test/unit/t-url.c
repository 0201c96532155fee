/* SPDX-License-Identifier: MIT */
/* t-url.c: credentials in URLs and in text holding URLs are hidden */
#include <stdlib.h>
#include <string.h>

#include "mmp.h"
#include "mmp/url.h"
#include "tap.h"

static void redacts(const char *in, const char *want)
{
	mmp_buf b = MMP_BUF_INIT;

	mmp_url_redact(&b, in);
	is_str(b.ptr, want, "redact '%s'", in);
	mmp_buf_dispose(&b);
}

static void strips(const char *in, const char *want)
{
	char *s = strdup(in);

	mmp_url_strip_credentials(s);
	is_str(s, want, "strip '%s'", in);
	free(s);
}

int main(void)
{
	mmp_global_init();
	redacts("http://bob:PW@host:5000/x", "http://***@host:5000/x");
	redacts("https://token@github.com/o/r.git",
		"https://***@github.com/o/r.git");
	redacts("bob:PW@host:1", "***@host:1");
	redacts("bob:PW@host", "***@host");
	redacts("command line: -c tracking.uri=http://bob:PW@h:1",
		"command line: -c tracking.uri=http://***@h:1");
	redacts("command line: -c tracking.uri=bob:PW@h:1",
		"command line: -c tracking.uri=***@h:1");
	redacts("cannot reach 'bob:s3cr=t@h:1' (refused)",
		"cannot reach '***@h:1' (refused)");
	redacts("http://bob:p@ss@host/a@b", "http://***@host/a@b");
	redacts("HTTP://Bob:PW@Host", "HTTP://***@Host");
	redacts("s3://key:secret@bucket/path", "s3://***@bucket/path");
	redacts("two: http://a:1@x and http://b:2@y",
		"two: http://***@x and http://***@y");
	/* no credentials: left alone */
	redacts("http://host:5000/path?q=a@b", "http://host:5000/path?q=a@b");
	redacts("mail bob@example.com", "mail bob@example.com");
	redacts("file:data.csv:3: bad", "file:data.csv:3: bad");
	redacts("", "");
	redacts("at 12:30 @home", "at 12:30 @home");
	strips("https://u:p@github.com/o/r.git", "https://github.com/o/r.git");
	strips("https://tok@github.com/o/r.git", "https://github.com/o/r.git");
	strips("git@github.com:o/r.git", "git@github.com:o/r.git");
	strips("https://github.com/o/r.git", "https://github.com/o/r.git");
	mmp_global_shutdown();
	return done_testing();
}
