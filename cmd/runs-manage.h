/* SPDX-License-Identifier: MIT */
/* runs-manage.h: the sub-commands of mmp runs that change ended runs */
#ifndef CMD_runs_manage_h__
#define CMD_runs_manage_h__

struct mmp_ctx;

int runs_delete(int argc, const char **argv, struct mmp_ctx *ctx);
int runs_restore(int argc, const char **argv, struct mmp_ctx *ctx);
int runs_tag(int argc, const char **argv, struct mmp_ctx *ctx);
int runs_note(int argc, const char **argv, struct mmp_ctx *ctx);
int runs_rename(int argc, const char **argv, struct mmp_ctx *ctx);

#endif
