/* SPDX-License-Identifier: MIT */
/* assets.c: the stylesheet and script, embedded in the binary */
#include "ui-internal.h"

#define EMBED(sym, path) \
	__asm__(".section .rodata\n" \
		".globl " #sym "_start\n" \
		".hidden " #sym "_start\n" \
		#sym "_start:\n" \
		".incbin \"" path "\"\n" \
		".globl " #sym "_end\n" \
		".hidden " #sym "_end\n" \
		#sym "_end:\n" \
		".previous\n")

EMBED(ui_css, "lib/ui/assets/ui.css");
EMBED(ui_js, "lib/ui/assets/ui.js");
