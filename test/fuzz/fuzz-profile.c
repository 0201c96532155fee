/* SPDX-License-Identifier: MIT */
/* fuzz-profile.c: libFuzzer harness for profile.json (drift profiles) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmp/monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the input as a profile; one that parses is written back, read again,
 * given a live copy that counts a row, merged and compared */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mmp_profile *p = NULL, *back = NULL, *live = NULL;
	mmp_drift_report d = MMP_DRIFT_REPORT_INIT;
	mmp_buf b = MMP_BUF_INIT;
	float row[64], pred[64];
	size_t i;

	if (mmp_profile_from_json(&p, (const char *)data, size, "fuzz") < 0)
		return 0;
	mmp_profile_to_json(p, &b);
	if (mmp_profile_from_json(&back, b.ptr, b.size, "again") < 0)
		abort();
	mmp_profile_live_new(&live, back);
	for (i = 0; i < 64; i++)
		row[i] = pred[i] = (float)i - 1;
	if (mmp_profile_nfeatures(p) <= 64 && mmp_profile_npred(p) <= 64) {
		mmp_profile_add(live, row, pred);
		mmp_profile_add_unseen(live, 0, "x");
	}
	if (mmp_profile_merge(live, p) < 0 ||
	    mmp_profile_compare(p, live, &d) < 0)
		abort();
	mmp_drift_report_release(&d);
	mmp_buf_dispose(&b);
	mmp_profile_free(live);
	mmp_profile_free(back);
	mmp_profile_free(p);
	return 0;
}
