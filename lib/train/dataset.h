/* SPDX-License-Identifier: MIT */
/* dataset.h: load the data a recipe names, as training and tuning read it */
#ifndef LIB_train_dataset_h__
#define LIB_train_dataset_h__

#include "mmp/data.h"
#include "mmp/recipe.h"

/*
 * The source a recipe reads from `path` (its data.source_abs, or an
 * override): a database location takes the recipe's query or table; a
 * file takes neither. The strings stay the recipe's and the caller's.
 */
void mmp_train__source(mmp_source *src, const mmp_recipe *r,
	const char *path);

/*
 * Load `path` (the recipe's data.source_abs, or an override) with the
 * recipe's delimiter, missing-value spellings and data interface: the
 * target, entity and timestamp columns, then the named features or
 * every other column. With `header` not NULL, the sniffed header is
 * returned too (free with mmp_csv_header_free()). nthreads 0: all cores.
 * A binary target's classes are ordered negative, positive (see
 * mmp_train__positive_class()).
 */
int mmp_train__load_data(mmp_frame **out, mmp_csv_header **header,
	const mmp_recipe *r, const char *path, unsigned int nthreads);

/* the same; `progress` (may be NULL) hears how many bytes are parsed,
 * as mmp_csv_options.progress; `info` (may be NULL) receives what the
 * load learned about the source (release it with
 * mmp_source_info_release()) */
int mmp_train__load_data_progress(mmp_frame **out, mmp_csv_header **header,
	mmp_source_info *info, const mmp_recipe *r, const char *path,
	unsigned int nthreads,
	void (*progress)(uint64_t done, uint64_t total, void *payload),
	void *payload);

/* the same for a database `location`, its rows also written to `fd` as
 * CSV from the same reading (mmp_source_load_export()) */
int mmp_train__load_data_export(mmp_frame **out, const mmp_recipe *r,
	const char *location, int fd);

/*
 * Check the recipe against the header (and column types) of `path`
 * before anything is recorded: every named column exists (an unknown
 * one is named with its recipe key and the nearest header name), and a
 * regression target is not text. Returns 0 (also when the file cannot
 * be read: loading reports that) or MMP_EINVALID.
 */
int mmp_train__check_header(const mmp_recipe *r, const char *path);

/*
 * Order a binary target's two labels as (negative, positive): the
 * positive class is data.interface.positive_class, else the one label
 * spelled 1, true or yes (any case). With neither, MMP_EINVALID lists
 * both labels and asks for the setting; a positive_class that is not a
 * label is MMP_EINVALID too. Other tasks, and targets without exactly
 * two classes, are left alone.
 */
int mmp_train__positive_class(mmp_frame *f, const mmp_recipe *r,
	const char *path);

#endif
