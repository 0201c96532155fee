/* SPDX-License-Identifier: MIT */
/* bucket.c: the doctor's look at an s3:// artifact location */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmp/s3.h"
#include "doctor-internal.h"

/* beyond this skew S3 refuses SigV4 requests (RequestTimeTooSkewed) */
#define SKEW_FAIL_S (15 * 60)
#define SKEW_WARN_S (5 * 60)

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* raise `what` and the last error to `level`, with the fix for what
 * the last S3 answer says */
static void raise_s3(mmp_doctor_result *r, int level, mmp_s3 *s,
	const char *loc, const char *what)
{
	mmp_s3_stats st;
	const char *c, *src = mmp_s3_credentials_source(s);
	char *bucket = NULL, *key = NULL;
	mmp_buf msg = MMP_BUF_INIT;

	mmp_s3_stats_get(s, &st);
	c = st.last_code ? st.last_code : "";
	mmp_s3_uri_split(&bucket, &key, loc);
	mmp_doctor__detail(r, "%s", mmp_error_last()->message);
	mmp_error_clear();
	if (st.last_status)
		mmp_buf_printf(&msg, "%s: http %ld%s%s", what, st.last_status,
			*c ? " " : "", c);
	else
		mmp_buf_printf(&msg, "%s: %s does not answer", what,
			mmp_s3_endpoint(s));
	if (!st.last_status) {
		if (getenv("MLFLOW_S3_ENDPOINT_URL"))
			mmp_doctor__raise(r, level, msg.ptr, "start "
				"the S3 server, or set MLFLOW_S3_ENDPOINT_URL "
				"(now %s) to where it listens",
				mmp_s3_endpoint(s));
		else
			mmp_doctor__raise(r, level, msg.ptr, "check "
				"the network route to %s, or set "
				"MLFLOW_S3_ENDPOINT_URL for MinIO or another "
				"S3-compatible server", mmp_s3_endpoint(s));
	} else if (!strcmp(c, "SignatureDoesNotMatch")) {
		mmp_doctor__raise(r, level, msg.ptr, "the secret "
			"access key does not belong to the access key id: fix "
			"the secret (from %s)", src);
	} else if (!strcmp(c, "InvalidAccessKeyId")) {
		mmp_doctor__raise(r, level, msg.ptr, "use an access "
			"key id that %s knows (from %s)", mmp_s3_endpoint(s),
			src);
	} else if (!strcmp(c, "RequestTimeTooSkewed")) {
		mmp_doctor__raise(r, level, msg.ptr, "this "
			"machine's clock is more than 15 minutes off: sync it "
			"(timedatectl set-ntp true, or chronyc makestep)");
	} else if (!strcmp(c, "InvalidToken") || !strcmp(c, "ExpiredToken")) {
		mmp_doctor__raise(r, level, msg.ptr, "get new "
			"temporary credentials (AWS_SESSION_TOKEN, from %s)",
			src);
	} else if (!strcmp(c, "NoSuchBucket")) {
		mmp_doctor__raise(r, level, msg.ptr, "create the "
			"bucket (mc mb, or aws s3 mb s3://%s), or fix the "
			"server's artifact root", bucket ? bucket : "");
	} else if (!strcmp(c, "AccessDenied") || st.last_status == 403) {
		mmp_doctor__raise(r, level, msg.ptr, "grant these "
			"credentials (from %s) s3:ListBucket on bucket %s and "
			"s3:GetObject, s3:PutObject and s3:DeleteObject on "
			"%s/*", src, bucket ? bucket : "", loc);
	} else if (!strcmp(c, "PermanentRedirect") ||
	    !strcmp(c, "AuthorizationHeaderMalformed")) {
		mmp_doctor__raise(r, level, msg.ptr, "set "
			"AWS_REGION to the bucket's region");
	} else {
		mmp_doctor__raise(r, level, msg.ptr, NULL);
	}
	free(bucket);
	free(key);
	mmp_buf_dispose(&msg);
}

/* the server's Date against this clock; 0 when it is off too far */
static int check_clock(mmp_doctor_result *r, mmp_s3 *s)
{
	mmp_s3_stats st;
	long long skew;
	mmp_buf msg = MMP_BUF_INIT;
	int ok = 1;

	mmp_s3_stats_get(s, &st);
	if (!st.server_date) {
		mmp_doctor__detail(r, "clock: the S3 server sent no Date");
		return 1;
	}
	skew = (long long)time(NULL) - (long long)st.server_date;
	mmp_doctor__detail(r, "clock: %lld s %s the S3 server's Date",
		skew < 0 ? -skew : skew, skew < 0 ? "behind" : "ahead of");
	if (skew > SKEW_WARN_S || skew < -SKEW_WARN_S) {
		mmp_buf_printf(&msg, "this machine's clock is %lld min %s "
			"the S3 server's; signed requests fail beyond 15 min",
			(skew < 0 ? -skew : skew) / 60,
			skew < 0 ? "behind" : "ahead of");
		ok = skew <= SKEW_FAIL_S && skew >= -SKEW_FAIL_S;
		mmp_doctor__raise(r, ok ? MMP_DOCTOR_WARN : MMP_DOCTOR_FAIL,
			msg.ptr, "sync the clock (timedatectl set-ntp true, "
			"or chronyc makestep)");
	}
	mmp_buf_dispose(&msg);
	return ok;
}

void mmp_doctor__check_bucket(mmp_doctor_result *r, const char *loc)
{
	mmp_s3 *s = NULL;
	mmp_buf key = MMP_BUF_INIT;
	char hex[33];
	int ok;

	mmp_doctor__detail(r, "S3 endpoint: %s", env_or(
		"MLFLOW_S3_ENDPOINT_URL", "AWS (MLFLOW_S3_ENDPOINT_URL unset)"));
	if (mmp_s3_open(&s, loc, NULL) < 0) {
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL,
			mmp_error_last()->message, "give this client the "
			"bucket's credentials: AWS_ACCESS_KEY_ID and "
			"AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE) in "
			"~/.aws/credentials or ~/.aws/config with keys, a "
			"role, SSO or credential_process (mmp-sync(1), S3 AND "
			"MINIO)");
		mmp_error_clear();
		return;
	}
	mmp_doctor__detail(r, "credentials: from %s",
		mmp_s3_credentials_source(s));
	{
		mmp_s3_stats st;
		time_t t;
		struct tm tm;
		char when[32];

		mmp_s3_stats_get(s, &st);
		t = (time_t)st.credentials_expire;
		if (st.credentials_expire && gmtime_r(&t, &tm) &&
		    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			mmp_doctor__detail(r, "credentials: temporary, "
				"valid until %s", when);
	}
	ok = mmp_s3_ping(s) == 0;
	/* the clock first: a skew explains any refusal after it */
	if (!check_clock(r, s) && !ok) {
		mmp_error_clear();
		goto done;
	}
	if (!ok) {
		raise_s3(r, MMP_DOCTOR_FAIL, s, loc, "the bucket does not "
			"answer a listing");
		goto done;
	}
	mmp_doctor__detail(r, "listing %s: the endpoint answers and accepts "
		"the credentials", loc);
	if (mmp_uuid_hex(hex) < 0) {
		mmp_error_clear();
		snprintf(hex, sizeof(hex), "%lld", (long long)time(NULL));
	}
	mmp_buf_printf(&key, ".mmp-doctor-probe-%s", hex);
	if (mmp_s3_put_data(s, key.ptr, "mmp doctor probe\n", 17) < 0) {
		raise_s3(r, MMP_DOCTOR_FAIL, s, loc, "the bucket is not "
			"writable");
		goto done;
	}
	if (mmp_s3_delete(s, key.ptr) < 0) {
		raise_s3(r, MMP_DOCTOR_WARN, s, loc, "the probe object "
			"cannot be deleted");
		goto done;
	}
	mmp_doctor__detail(r, "a probe object %s/%s was written and deleted",
		loc, key.ptr);
	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, "artifact_location '%s' is in S3: %s "
			"answers, accepts the credentials and a probe object "
			"was written and deleted", loc, mmp_s3_endpoint(s));
done:
	mmp_buf_dispose(&key);
	mmp_s3_free(s);
}
