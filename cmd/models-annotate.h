/* SPDX-License-Identifier: MIT */
/* models-annotate.h: mmp models describe/tag/dockerfile, kept beside
 * models.c */
#ifndef CMD_models_annotate_h__
#define CMD_models_annotate_h__

struct mmp_ctx;

int models_describe(int argc, const char **argv, struct mmp_ctx *ctx);
int models_tag(int argc, const char **argv, struct mmp_ctx *ctx);
int models_dockerfile(int argc, const char **argv, struct mmp_ctx *ctx);

#endif
