/* SPDX-License-Identifier: MIT */
/* project-internal.h: the embedded example files */
#ifndef LIB_project_project_internal_h__
#define LIB_project_project_internal_h__

struct mmp_example {
	const char *path;       /* relative to the project directory */
	const char *start, *end;
};

/* terminated by an entry whose path is NULL */
extern const struct mmp_example mmp_project__examples[];

#endif
