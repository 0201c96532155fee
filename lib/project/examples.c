/* SPDX-License-Identifier: MIT */
/* examples.c: the bundled example files, embedded at build time from
 * configs/ and recipes/ so that the project's copies are the only ones */
#include <stddef.h>

#include "project-internal.h"

#define EMBED(sym, path) \
	__asm__(".section .rodata\n" \
		".balign 16\n" \
		".globl " #sym "_start\n" \
		".hidden " #sym "_start\n" \
		#sym "_start:\n" \
		".incbin \"" path "\"\n" \
		".globl " #sym "_end\n" \
		".hidden " #sym "_end\n" \
		#sym "_end:\n" \
		".previous\n"); \
	extern const char sym##_start[], sym##_end[]

EMBED(ex_base, "configs/base.yaml");
EMBED(ex_dev, "configs/dev.yaml");
EMBED(ex_prod, "configs/prod.yaml");
EMBED(ex_approval, "configs/approval.yaml");
EMBED(ex_monitor, "configs/monitor.yaml");
EMBED(ex_recipe, "recipes/breast-cancer.yaml");
EMBED(ex_data, "recipes/data/breast_cancer.csv");

const struct mmp_example mmp_project__examples[] = {
	{ "configs/base.yaml", ex_base_start, ex_base_end },
	{ "configs/dev.yaml", ex_dev_start, ex_dev_end },
	{ "configs/prod.yaml", ex_prod_start, ex_prod_end },
	{ "configs/approval.yaml", ex_approval_start, ex_approval_end },
	{ "configs/monitor.yaml", ex_monitor_start, ex_monitor_end },
	{ "recipes/breast-cancer.yaml", ex_recipe_start, ex_recipe_end },
	{ "recipes/data/breast_cancer.csv", ex_data_start, ex_data_end },
	{ NULL, NULL, NULL }
};
