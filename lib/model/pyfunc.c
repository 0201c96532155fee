/* SPDX-License-Identifier: MIT */
/* pyfunc.c: the Python loader module written into every model directory,
 * embedded at build time from lib/model/mmp_pyfunc.py */
#include <stddef.h>

#include "xgb-internal.h"

__asm__(".section .rodata\n"
	".balign 16\n"
	".globl mmp_pyfunc_py_start\n"
	".hidden mmp_pyfunc_py_start\n"
	"mmp_pyfunc_py_start:\n"
	".incbin \"lib/model/mmp_pyfunc.py\"\n"
	".globl mmp_pyfunc_py_end\n"
	".hidden mmp_pyfunc_py_end\n"
	"mmp_pyfunc_py_end:\n"
	".previous\n");
extern const char mmp_pyfunc_py_start[], mmp_pyfunc_py_end[];

const char *mmp_model__pyfunc_source(size_t *len)
{
	*len = (size_t)(mmp_pyfunc_py_end - mmp_pyfunc_py_start);
	return mmp_pyfunc_py_start;
}
