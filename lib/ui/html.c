/* SPDX-License-Identifier: MIT */
/* html.c: HTML escaping, number and time formatting, the page frame */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui-internal.h"

void ui_hn(mmp_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		const char *rep;
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* control characters other than tab and newline
			 * are shown as U+FFFD, never passed on raw */
			rep = (ch < 0x20 && ch != '\t' && ch != '\n') ||
				ch == 0x7f ? "\xef\xbf\xbd" : NULL;
		}
		if (!rep)
			continue;
		mmp_buf_put(b, s + start, i - start);
		mmp_buf_puts(b, rep);
		start = i + 1;
	}
	mmp_buf_put(b, s + start, n - start);
}

void ui_h(mmp_buf *b, const char *s)
{
	if (s)
		ui_hn(b, s, strlen(s));
}

void ui_u(mmp_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~') {
			mmp_buf_putc(b, ch);
		} else {
			mmp_buf_putc(b, '%');
			mmp_buf_putc(b, hex[ch >> 4]);
			mmp_buf_putc(b, hex[ch & 15]);
		}
	}
}

void ui_num(mmp_buf *b, double v)
{
	if (isnan(v))
		mmp_buf_puts(b, "NaN");
	else if (isinf(v))
		mmp_buf_puts(b, v > 0 ? "Inf" : "-Inf");
	else
		mmp_buf_printf(b, "%.6g", v);
}

void ui_time(mmp_buf *b, int64_t ms)
{
	char iso[32], shown[32];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm)) {
		mmp_buf_puts(b, "-");
		return;
	}
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M:%S", &tm);
	mmp_buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, shown);
}

void ui_duration(mmp_buf *b, int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms < 0)
		mmp_buf_puts(b, "-");
	else if (ms < 10000)
		mmp_buf_printf(b, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		mmp_buf_printf(b, "%lldm%02llds", (long long)(s / 60),
			(long long)(s % 60));
	else
		mmp_buf_printf(b, "%lldh%02lldm", (long long)(s / 3600),
			(long long)(s / 60 % 60));
}

void ui_size(mmp_buf *b, int64_t n)
{
	if (n < 1024)
		mmp_buf_printf(b, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		mmp_buf_printf(b, "%.1f KiB", (double)n / 1024);
	else if (n < 1024LL * 1024 * 1024)
		mmp_buf_printf(b, "%.1f MiB", (double)n / (1024 * 1024));
	else
		mmp_buf_printf(b, "%.1f GiB", (double)n /
			(1024.0 * 1024 * 1024));
}

void ui_page_begin(struct ui_ctx *c, const char *title, int live)
{
	mmp_buf *b = c->out;
	const char *path = mmp_serve_request_path(c->req);
	static const struct { const char *href, *name; } nav[] = {
		{ "/runs", "Runs" }, { "/models", "Models" },
		{ "/studies", "Studies" },
	};
	size_t i;

	mmp_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		"<meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">"
		"<meta name=\"color-scheme\" content=\"light dark\">"
		"<title>");
	ui_h(b, title);
	mmp_buf_puts(b, " \xc2\xb7 mmp</title>"
		"<link rel=\"icon\" href=\"data:,\">"
		"<link rel=\"stylesheet\" href=\"/static/ui.css\">"
		"<script src=\"/static/ui.js\" defer></script></head>\n");
	mmp_buf_printf(b, "<body%s>", live ? " data-live=\"5\"" : "");
	mmp_buf_puts(b, "<a class=\"skip\" href=\"#main\">Skip to content"
		"</a><header><nav aria-label=\"Main\"><a class=\"brand\" "
		"href=\"/\">mmp</a>");
	for (i = 0; i < ARRAY_SIZE(nav); i++) {
		int here = mmp_str_starts_with(path, nav[i].href) ||
			(i == 0 && !strcmp(path, "/"));
		mmp_buf_printf(b, " <a href=\"%s\"%s>%s</a>", nav[i].href,
			here ? " aria-current=\"page\"" : "", nav[i].name);
	}
	mmp_buf_puts(b, "</nav></header>\n<main id=\"main\">");
}

void ui_page_end(struct ui_ctx *c)
{
	mmp_buf_puts(c->out, "</main></body></html>\n");
}

void ui_error(struct ui_ctx *c, int status, const char *fmt, ...)
{
	mmp_buf msg = MMP_BUF_INIT;
	char title[32];
	va_list ap;

	va_start(ap, fmt);
	mmp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	mmp_buf_clear(c->out);
	c->resp->status = status;
	c->resp->content_type = "text/html; charset=utf-8";
	snprintf(title, sizeof(title), "Error %d", status);
	ui_page_begin(c, title, 0);
	mmp_buf_printf(c->out, "<h1>Error %d</h1><p role=\"alert\" "
		"class=\"error\" id=\"error\">", status);
	ui_h(c->out, msg.ptr);
	mmp_buf_puts(c->out, "</p>");
	ui_page_end(c);
	mmp_buf_dispose(&msg);
}

void ui_kv_table(mmp_buf *b, const char *caption, const mmp_kv *kv,
	size_t n)
{
	size_t i;

	mmp_buf_puts(b, "<table class=\"kv\"><caption>");
	ui_h(b, caption);
	mmp_buf_puts(b, "</caption><thead><tr><th scope=\"col\">Key</th>"
		"<th scope=\"col\">Value</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		mmp_buf_puts(b, "<tr><th scope=\"row\">");
		ui_h(b, kv[i].key);
		mmp_buf_puts(b, "</th><td>");
		ui_h(b, kv[i].value);
		mmp_buf_puts(b, "</td></tr>");
	}
	if (!n)
		mmp_buf_puts(b, "<tr><td colspan=\"2\">none</td></tr>");
	mmp_buf_puts(b, "</tbody></table>\n");
}
