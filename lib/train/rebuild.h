/* SPDX-License-Identifier: MIT */
/* rebuild.h: the split of a recorded train run, rebuilt from its recipe
 * snapshot, its recorded split params and its data file */
#ifndef LIB_train_rebuild_h__
#define LIB_train_rebuild_h__

#include "mmp/config.h"
#include "mmp/data.h"
#include "mmp/recipe.h"
#include "mmp/store.h"
#include "split.h"

/* a rebuilt split; release with mmp_train__rebuilt_release() */
typedef struct {
	mmp_split split;       /* split.test: the run's test rows, as data
				  row indices in file order (validation
				  and train too) */
	size_t rows;           /* data rows in the file */
	char *data_path;       /* absolute; a database without credentials */
	char digest[65];       /* sha256 of the data file; a database's
				  rows digest */
	mmp_recipe *recipe;    /* the snapshot, split params applied */
	char *rows_csv;        /* a database's rows as read, exported to a
				  temporary CSV file (a header, ','
				  between fields, only empty fields
				  missing) in the same order, to score;
				  removed by the release; NULL for a
				  file */
} mmp_train_rebuilt;

/*
 * 1 when `run` records what a rebuild needs (a train run with a recipe
 * snapshot, split params and a training dataset), else 0 with the
 * reason in `why` (appended).
 */
int mmp_train__can_rebuild(const mmp_run *run, mmp_buf *why);

/*
 * Rebuild the split of train run `run` (as mmp_run_get() reads it):
 * load its recipe snapshot (artifacts/recipe.yaml) with the --set
 * overrides and split params the run recorded, check that its data
 * file still has the recorded sha256 (a database source: that the rows
 * read again through the snapshot's query have the recorded rows
 * digest, mmp_frame_rows_digest(), and keep them in `rows_csv`), load it with the recipe's data
 * interface and split it with mmp_split_rows(), as training did; when
 * the run recorded the digest of its test rows (split.test_sha256),
 * the rebuilt rows must have it. `config` gives the defaults training
 * had (delimiter, missing values); may be NULL.
 *
 * Errors: MMP_EINVALID (the run cannot be rebuilt: see
 * mmp_train__can_rebuild()), MMP_ENOTFOUND (the data file is gone),
 * MMP_ECONFLICT (the data file changed: both digests named; the
 * rebuilt test rows differ from the recorded ones), or the recipe's
 * and the loader's errors, prefixed with the run.
 */
int mmp_train__rebuild(mmp_train_rebuilt *out, mmp_store *s,
	const mmp_run *run, const mmp_config *config);

void mmp_train__rebuilt_release(mmp_train_rebuilt *b);

#endif
