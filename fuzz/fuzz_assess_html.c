/*
 * libFuzzer harness for the HTML report (src/report/assess_html.c): the assessment's strings
 * come from firmware and profiles. Any JSON object must render, and the page may contain
 * only the writer's own markup: every '<' opens a tag of the writer's list, and no control
 * byte but tab and newline appears; otherwise abort() keeps the input.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess_report.h"

static const char *const TAGS[] = {
        "!DOCTYPE", "html",       "head",  "meta", "title", "style",   "body", "main",    "header",
        "h1",       "h2",         "h3",    "p",    "div",   "section", "dl",   "dt",      "dd",
        "strong",   "em",         "small", "span", "ul",    "li",      "br",   "table",   "thead",
        "tbody",    "tr",         "th",    "td",   "abbr",  "a",       "code", "details", "summary",
        "figure",   "figcaption", "svg",   "desc", "g",     "text",    "rect", "line",    "footer"};

static int known_tag(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof TAGS / sizeof TAGS[0]; i++)
		if (strlen(TAGS[i]) == n && memcmp(TAGS[i], p, n) == 0)
			return 1;
	return 0;
}

/* Every '<' outside the <style> element starts a known tag; no control bytes. */
static void check_page(const char *html)
{
	const char *style_end = strstr(html, "</style>");
	for (const char *p = html; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			abort();
		if (c != '<')
			continue;
		const char *name = p + 1 + (p[1] == '/');
		size_t n = 0;
		while (name[n] && (isalnum((unsigned char)name[n]) || name[n] == '!'))
			n++;
		if (!known_tag(name, n))
			abort();
		if (n == 5 && memcmp(name, "style", 5) == 0 && p[1] != '/' && style_end)
			p = style_end; /* the writer's own CSS: '>' in selectors */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *doc = json_loadb((const char *)data, size, 0, &je);
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	if (!doc)
		return 0;
	int rc = it_assess_html(doc, &out, &err);
	if (json_is_object(doc) && rc != 0)
		abort(); /* any object renders (only out of memory may fail) */
	if (rc == 0)
		check_page(it_buf_str(&out));
	it_buf_free(&out);
	it_error_clear(&err);
	json_decref(doc);
	return 0;
}
