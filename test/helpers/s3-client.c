/* SPDX-License-Identifier: MIT */
/* s3-client.c: one S3 call through libmmp's client, for the S3 tests:
 *   s3-client s3://BUCKET[/PREFIX] put KEY FILE
 *   s3-client s3://BUCKET[/PREFIX] put-data KEY TEXT
 *   s3-client s3://BUCKET[/PREFIX] get KEY FILE [MAX]
 *   s3-client s3://BUCKET[/PREFIX] head KEY
 *   s3-client s3://BUCKET[/PREFIX] delete KEY
 *   s3-client s3://BUCKET[/PREFIX] list [DIR]
 *   s3-client s3://BUCKET[/PREFIX] info
 * head prints "SIZE ETAG", list "KEY SIZE ETAG" per object, get the
 * bytes written, info "endpoint=URL" and "source=WHERE" (no request).
 * Then, on stderr, "requests=N retries=N multipart=N parts=N
 * refreshes=N". Failures print "s3-client: MESSAGE" and exit 1.
 * S3_CLIENT_PROFILE names a profile as mmp_s3_options.profile does. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmp.h"

int main(int argc, char **argv)
{
	mmp_s3_options so = MMP_S3_OPTIONS_INIT;
	mmp_s3 *s = NULL;
	mmp_s3_stats st;
	mmp_s3_object h, *o = NULL;
	size_t n = 0, i;
	uint64_t got = 0;
	const char *op;
	int err;

	if (argc < 3) {
		fputs("usage: s3-client URI OP [ARGS]\n", stderr);
		return 2;
	}
	mmp_global_init();
	op = argv[2];
	so.profile = getenv("S3_CLIENT_PROFILE");
	if ((err = mmp_s3_open(&s, argv[1], &so)) < 0)
		goto fail;
	if (!strcmp(op, "put") && argc == 5)
		err = mmp_s3_put_file(s, argv[3], argv[4]);
	else if (!strcmp(op, "put-data") && argc == 5)
		err = mmp_s3_put_data(s, argv[3], argv[4], strlen(argv[4]));
	else if (!strcmp(op, "get") && (argc == 5 || argc == 6)) {
		err = mmp_s3_get_file(s, argv[3], argv[4], argc == 6 ?
			strtoull(argv[5], NULL, 10) : UINT64_MAX, &got);
		if (!err)
			printf("%" PRIu64 "\n", got);
	} else if (!strcmp(op, "head") && argc == 4) {
		if (!(err = mmp_s3_head(&h, s, argv[3])))
			printf("%" PRIu64 " %s\n", h.size, h.etag);
	} else if (!strcmp(op, "delete") && argc == 4)
		err = mmp_s3_delete(s, argv[3]);
	else if (!strcmp(op, "list") && (argc == 3 || argc == 4)) {
		err = mmp_s3_list(&o, &n, s, argc == 4 ? argv[3] : "", 100000);
		for (i = 0; !err && i < n; i++)
			printf("%s %" PRIu64 " %s\n", o[i].key, o[i].size,
				o[i].etag);
		mmp_s3_objects_free(o, n);
	} else if (!strcmp(op, "info") && argc == 3) {
		printf("endpoint=%s\nsource=%s\n", mmp_s3_endpoint(s),
			mmp_s3_credentials_source(s));
	} else {
		fputs("s3-client: bad operation or arguments\n", stderr);
		mmp_s3_free(s);
		return 2;
	}
	if (err < 0)
		goto fail;
	mmp_s3_stats_get(s, &st);
	fprintf(stderr, "requests=%" PRIu64 " retries=%" PRIu64
		" multipart=%" PRIu64 " parts=%" PRIu64 " refreshes=%" PRIu64
		"\n", st.requests, st.retries, st.multipart, st.parts,
		st.refreshes);
	mmp_s3_free(s);
	return 0;
fail:
	fprintf(stderr, "s3-client: %s\n", mmp_error_last()->message);
	mmp_s3_free(s);
	return 1;
}
