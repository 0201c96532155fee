/* SPDX-License-Identifier: MIT */
/* toolchain.c: versions, OpenMP threads and wait policy, CPUs, memory */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mmp/version.h"
#include "doctor-internal.h"

/* a "Key:   123 kB" line of /proc/meminfo, in bytes; -1 when absent */
static long long meminfo(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	long long kb;

	if (!p || sscanf(p + strlen(key), ":%lld", &kb) != 1)
		return -1;
	return kb * 1024;
}

/* CPUs this process may run on (affinity), capped by a cgroup quota */
static int usable_cpus(int *quota_out)
{
	cpu_set_t set;
	mmp_buf b = MMP_BUF_INIT;
	int n = 0;

	*quota_out = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (mmp_file_read(&b, "/sys/fs/cgroup/cpu.max", 256) == 0) {
		long long quota, period;

		if (sscanf(b.ptr, "%lld %lld", &quota, &period) == 2 &&
		    period > 0 && quota > 0) {
			int q = (int)((quota + period - 1) / period);
			*quota_out = q;
			if (q < n)
				n = q;
		}
	} else {
		mmp_error_clear();
	}
	mmp_buf_dispose(&b);
	return n;
}

/* a library mmp opens on first use that cannot be opened: the commands
 * that need it fail, the others work */
static void check_libraries(mmp_doctor_result *r)
{
	static const struct {
		unsigned int bit;
		const char *needed_by;
	} libs[] = {
		{ MMP_LIBRARY_XGBOOST, "train, tune, serve-api, "
		  "batch-inference and approve" },
		{ MMP_LIBRARY_GIT, "train (git lineage)" },
		{ MMP_LIBRARY_CURL, "sync and the tracking server checks" },
		{ MMP_LIBRARY_HTTPD, "serve-api and ui" },
		{ MMP_LIBRARY_CRYPTO, "every command that records or checks "
		  "a digest" },
		{ MMP_LIBRARY_PQ, "PostgreSQL data sources" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(libs); i++) {
		if (mmp_library_load(libs[i].bit) == 0)
			continue;
		mmp_doctor__raise(r, MMP_DOCTOR_FAIL, "a library is missing",
			"%s (%s need it)", mmp_error_last()->message,
			libs[i].needed_by);
		mmp_error_clear();
	}
}

void mmp_doctor__check_toolchain(mmp_doctor_result *r,
	const mmp_doctor_options *o, mmp_doctor__project *p)
{
	mmp_dep_version deps[16];
	size_t n = mmp_dep_versions(deps, 16), i;
	const char *policy = getenv("OMP_WAIT_POLICY");
	const char *omp_threads = getenv("OMP_NUM_THREADS");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int quota, cpus = usable_cpus(&quota), threads = cpus;
	mmp_buf b = MMP_BUF_INIT, mem = MMP_BUF_INIT;
	long long total = -1, avail = -1;

	MMP_UNUSED(o);
	MMP_UNUSED(p);
	mmp_buf_printf(&b, "mmp %s", mmp_version());
	for (i = 0; i < n && i < 16; i++)
		mmp_buf_printf(&b, ", %s %s", deps[i].name,
			*deps[i].version ? deps[i].version : "(not found)");
	mmp_doctor__detail(r, "%s", b.ptr);
	check_libraries(r);

	mmp_doctor__detail(r, "cpus: %ld online, %d usable by this process%s",
		online, cpus, quota ? " (cgroup cpu.max quota)" : "");
	if (omp_threads && *omp_threads) {
		int64_t t;

		if (mmp_parse_int64(omp_threads, &t) == 0 && t > 0)
			threads = (int)t;
		else
			mmp_error_clear();
		mmp_doctor__detail(r, "xgboost threads: %d "
			"(OMP_NUM_THREADS=%s)",
			threads, omp_threads);
		if (threads > cpus)
			mmp_doctor__raise(r, MMP_DOCTOR_WARN, "OMP_NUM_THREADS "
				"is larger than the usable cpus",
				"set OMP_NUM_THREADS=%d or unset it: more "
				"threads than cpus make XGBoost slower", cpus);
	} else {
		mmp_doctor__detail(r, "xgboost threads: %d (one per usable "
			"cpu; OMP_NUM_THREADS unset)", threads);
	}

	if (!policy || !*policy) {
		mmp_doctor__detail(r, "OMP_WAIT_POLICY: unset; mmp sets "
			"PASSIVE for the commands that train or predict");
	} else if (!strcasecmp(policy, "passive")) {
		mmp_doctor__detail(r, "OMP_WAIT_POLICY: %s", policy);
	} else {
		mmp_doctor__detail(r, "OMP_WAIT_POLICY: %s: idle OpenMP "
			"threads "
			"spin instead of sleeping, which makes XGBoost several "
			"times slower when the cpus are shared (serve-api "
			"threads, other processes)", policy);
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, "OMP_WAIT_POLICY is not "
			"PASSIVE: spinning OpenMP threads slow XGBoost on a "
			"busy machine", "unset OMP_WAIT_POLICY or set "
			"OMP_WAIT_POLICY=PASSIVE");
	}

	if (mmp_file_read(&mem, "/proc/meminfo", 1 << 16) == 0) {
		total = meminfo(mem.ptr, "MemTotal");
		avail = meminfo(mem.ptr, "MemAvailable");
	} else {
		mmp_error_clear();
	}
	if (total > 0)
		mmp_doctor__detail(r, "memory: %.1f GiB total, %.1f GiB "
			"available", (double)total / (1 << 30),
			(double)(avail > 0 ? avail : 0) / (1 << 30));
	else
		mmp_doctor__detail(r, "memory: unknown (/proc/meminfo "
			"unreadable)");
	if (avail >= 0 && avail < (256LL << 20))
		mmp_doctor__raise(r, MMP_DOCTOR_WARN, "less than 256 MiB of "
			"memory available", "free memory or train on a "
			"sample: XGBoost needs several times the data size");

	if (r->status == MMP_DOCTOR_OK)
		mmp_doctor__summary(r, "mmp %s, %d cpu%s, %.1f GiB memory",
			mmp_version(), cpus, cpus == 1 ? "" : "s",
			total > 0 ? (double)total / (1 << 30) : 0.0);
	mmp_buf_dispose(&b);
	mmp_buf_dispose(&mem);
}
