/* SPDX-License-Identifier: MIT */
/* fuzz-csv.c: libFuzzer harness for the CSV reader (load and stream) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmp.h"
#include "mmp/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input goes to an in-memory file read through its /proc path. Its
 * first byte picks the roles: the first column as regression or class
 * target or none, and one or two threads; with 0x80 the rest is read as
 * gzip (or zstd with 0x10) through a symlink named *.csv.gz (*.csv.zst).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const mmp_task tasks[] = { MMP_TASK_REGRESSION,
		MMP_TASK_BINARY, MMP_TASK_MULTICLASS };
	mmp_csv_header *h = NULL;
	mmp_csv_spec spec = MMP_CSV_SPEC_INIT;
	mmp_csv_options o = MMP_CSV_OPTIONS_INIT;
	mmp_csv_column col = { NULL, MMP_CSV_TARGET, NULL };
	mmp_frame *f = NULL;
	char path[160];
	unsigned mode;
	int fd;

	if (size < 1)
		return 0;
	mode = data[0];
	fd = memfd_create("csv", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mode & 0x80) {
		/* read it through a name that asks for decompression */
		static char link[128];
		const char *tmp = getenv("TMPDIR");
		snprintf(link, sizeof(link), "%s/fuzz-csv-%d.csv.%s",
			tmp && *tmp ? tmp : "/tmp", (int)getpid(),
			mode & 0x10 ? "zst" : "gz");
		unlink(link);
		if (symlink(path, link) == 0)
			snprintf(path, sizeof(path), "%s", link);
	}
	o.nthreads = 1 + (mode & 1);
	o.bad_rows = mode & 2 ? MMP_CSV_BAD_ROWS_SKIP : MMP_CSV_BAD_ROWS_FAIL;
	spec.others = MMP_CSV_FEATURE;
	spec.task = tasks[(mode >> 2) % 3];
	if (mmp_csv_sniff(&h, path, &o) == 0 && mmp_csv_header_count(h) &&
	    (mode & 0x20)) {
		col.name = mmp_csv_header_name(h, 0);
		spec.columns = &col;
		spec.ncolumns = 1;
	}
	if (mmp_csv_load(&f, path, &spec, &o) == 0)
		mmp_frame_free(f);
	if (h && mmp_csv_header_count(h) && (mode & 0x40)) {
		/* the streaming reader: first column numeric, small chunks */
		mmp_csv_column num = { mmp_csv_header_name(h, 0),
			MMP_CSV_NUMERIC, NULL };
		mmp_csv_spec fixed = MMP_CSV_SPEC_INIT;
		mmp_csv_reader *r = NULL;
		fixed.columns = &num;
		fixed.ncolumns = 1;
		fixed.others = MMP_CSV_SKIP;
		if (mmp_csv_reader_open(&r, path, &fixed, &o) == 0) {
			f = NULL;
			while (mmp_csv_reader_next(&f, r, 7) == 0) {
				mmp_frame_free(f);
				f = NULL;
			}
			mmp_csv_reader_digest(r);
		}
		mmp_csv_reader_free(r);
	}
	mmp_csv_header_free(h);
	close(fd);
	if (mode & 0x80)
		unlink(path);
	return 0;
}
