/*
 * The HTML report of an assessment (docs/assess.md, "HTML report"): one self-contained
 * HTML5 file with inline CSS and inline SVG charts, no script and nothing fetched (a
 * Content-Security-Policy of default-src 'none' says so to the browser). Every string of
 * the document comes from firmware or a profile: it is written only through esc(), as
 * text or a double-quoted attribute value, never into CSS, URLs or element names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess_report.h"
#include "report/writer.h"

#define TOP_GAPS     12  /* gaps in the "Fix first" table; the rest in <details> */
#define LIST_CAP     25  /* items of one per-provision or per-function list */
#define CHART_ROWS   12  /* bars of the vulnerabilities-by-component chart */
#define LABEL_CHARS  22  /* characters of a chart label */
#define ALL_GAPS_CAP 500 /* gaps listed at all */

struct html {
	struct it_buf *b;
	int bad; /* an append failed: out of memory */
};

static const char *const SEVERITIES[] = {"critical", "high", "medium", "low", "info"};
static const char *const VERDICTS[] = {"PASS", "DECLARED", "NOT-APPLICABLE", "INCONCLUSIVE",
                                       "FAIL"};
/* CSS classes for the verdicts above, in the same order. */
static const char *const VERDICT_CLASS[] = {"pass", "decl", "na", "open", "fail"};

/* Trusted text: literals and numbers only. */
static void lit(struct html *h, const char *s)
{
	h->bad |= it_buf_puts(h->b, s) < 0;
}

static void __attribute__((format(printf, 2, 3))) fmt(struct html *h, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	h->bad |= it_buf_vprintf(h->b, f, ap) < 0;
	va_end(ap);
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* A code point an attacker can use to garble or spoof the page: C0/C1 controls (tab and
 * newline excepted), DEL, and the bidirectional overrides and isolates. */
static int is_hostile(const unsigned char *p, size_t n)
{
	if (n == 1)
		return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n') || p[0] == 0x7f;
	if (n == 2)
		return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x80)
		return p[2] >= 0xaa && p[2] <= 0xae;
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x81)
		return p[2] >= 0xa6 && p[2] <= 0xa9;
	return 0;
}

/* Untrusted text, as HTML text or a double-quoted attribute value; at most max characters
 * (0: all), an ellipsis marking a cut. Hostile code points are shown as \xNN / \uNNNN. */
static void esc_max(struct html *h, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	for (size_t chars = 0; *p; chars++) {
		size_t n = utf8_len(*p), k;
		for (k = 1; k < n && p[k]; k++)
			;
		n = k; /* jansson strings are valid UTF-8; stay in bounds anyway */
		if (max && chars == max) {
			lit(h, "\xe2\x80\xa6"); /* an ellipsis */
			return;
		}
		if (is_hostile(p, n) && n == 1) {
			fmt(h, "\\x%02x", *p);
		} else if (is_hostile(p, n)) {
			unsigned cp = n == 2 ? ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu)
			                     : ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) |
			                               (p[2] & 0x3fu);
			fmt(h, "\\u%04x", cp);
		} else if (*p == '&') {
			lit(h, "&amp;");
		} else if (*p == '<') {
			lit(h, "&lt;");
		} else if (*p == '>') {
			lit(h, "&gt;");
		} else if (*p == '"') {
			lit(h, "&quot;");
		} else if (*p == '\'') {
			lit(h, "&#39;");
		} else {
			h->bad |= it_buf_append(h->b, p, n) < 0;
		}
		p += n;
	}
}

static void esc(struct html *h, const char *s)
{
	esc_max(h, s, 0);
}

static const char *sget(const json_t *o, const char *k)
{
	const char *s = it_report_str(o, k);
	return s ? s : "";
}

static json_int_t iget(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const json_t *aget(const json_t *o, const char *k)
{
	return json_object_get(o, k);
}

/* Index of s in list, or -1: how untrusted words pick a trusted CSS class. */
static int find_word(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return (int)i;
	return -1;
}

static int sev_index(const char *s)
{
	return find_word(s, SEVERITIES, 5);
}

static int verdict_index(const char *s)
{
	return find_word(s, VERDICTS, 5);
}

static void verdict_badge(struct html *h, const char *v)
{
	int i = verdict_index(v);
	fmt(h, "<span class=\"badge %s\">", i < 0 ? "unknown" : VERDICT_CLASS[i]);
	esc(h, v);
	lit(h, "</span>");
}

static void sev_badge(struct html *h, const char *s)
{
	int i = sev_index(s);
	if (!s)
		return;
	fmt(h, "<span class=\"badge s-%s\">", i < 0 ? "unknown" : SEVERITIES[i]);
	esc(h, s);
	lit(h, "</span>");
}

static const char STYLE[] =
        "<style>\n"
        ":root{--fail:#b3261e;--pass:#2e7d32;--decl:#1f5fa8;--na:#9aa0a6;--open:#e3a008;"
        "--ink:#1d2329;--muted:#5f6b76;--line:#d9dee3;--bg:#f6f7f9}\n"
        "*{box-sizing:border-box}\n"
        "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
        "sans-serif;color:var(--ink);margin:0;background:#fff}\n"
        "main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}\n"
        "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 10px;"
        "padding-bottom:4px;border-bottom:2px solid var(--line)}\n"
        "h3{font-size:16px;margin:20px 0 8px}\n"
        ".sub{color:var(--muted);margin:0 0 18px}\n"
        ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:14px}\n"
        ".card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;"
        "background:var(--bg)}\n"
        ".card h3{margin:0 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;"
        "color:var(--muted)}\n"
        ".big{font-size:24px;font-weight:700}\n"
        ".tier-basic{border-left:6px solid var(--pass)}.tier-substantial{border-left:6px solid "
        "var(--open)}.tier-high{border-left:6px solid var(--fail)}\n"
        "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}\n"
        "dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}\n"
        "table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:14px}\n"
        "th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;"
        "vertical-align:top;overflow-wrap:anywhere}\n"
        "th{background:var(--bg);font-weight:600}thead "
        "th,td.n,.nowrap{white-space:nowrap}td.n,th.n{text-align:right;"
        "font-variant-numeric:tabular-nums}\n"
        ".badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;"
        "font-weight:600;color:#fff;background:var(--na);white-space:nowrap}\n"
        ".badge.pass,.badge.met{background:var(--pass)}.badge.fail,.badge.notmet{background:"
        "var(--fail)}\n"
        ".badge.decl{background:var(--decl)}.badge.open{background:var(--open);color:#222}\n"
        ".badge.kev{background:#5b0f0b}\n"
        ".s-critical{background:#7f1d1d}.s-high{background:#c62828}.s-medium{background:#ef6c00}"
        ".badge.s-low{background:#f2c94c;color:#222}.s-info{background:#90a4ae}\n"
        ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}\n"
        ".charts .wide{grid-column:1/-1}\n"
        "figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px}\n"
        "figcaption{font-weight:600;margin-bottom:6px}\n"
        "svg{max-width:100%;height:auto;display:block}\n"
        "svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#1d2329}\n"
        "svg .in{fill:#fff}svg .in-dark{fill:#222}\n"
        ".f-pass{fill:#2e7d32}.f-decl{fill:#1f5fa8}.f-na{fill:#9aa0a6}.f-open{fill:#e3a008}"
        ".f-fail{fill:#b3261e}\n"
        ".f-critical{fill:#7f1d1d}.f-high{fill:#c62828}.f-medium{fill:#ef6c00}"
        ".f-low{fill:#f2c94c}.f-info{fill:#90a4ae}.f-kev{fill:#5b0f0b}.f-other{fill:#ef6c00}\n"
        "ul.tight{margin:2px 0;padding-left:18px}\n"
        "code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:13px}\n"
        "small,.muted{color:var(--muted)}\n"
        "details{margin:4px 0}summary{cursor:pointer}\n"
        "details.std>summary{font-weight:600;padding:6px 0}\n"
        ".note{background:#fff8e1;border-left:4px solid var(--open);padding:8px 12px;"
        "margin:8px 0}\n"
        ".bad{background:#fdecea;border-left:4px solid var(--fail);padding:8px 12px;"
        "margin:8px 0}\n"
        "a{color:#1f5fa8}\n"
        "footer{margin-top:40px;color:var(--muted);font-size:13px}\n"
        "@media print{body{font-size:11pt}main{max-width:none;padding:0}"
        "h2{break-after:avoid}figure,tr,.card{break-inside:avoid}"
        "details::details-content{content-visibility:visible;display:contents}"
        "summary{list-style:none}a{color:inherit;text-decoration:none}"
        ".badge{border:1px solid #555;print-color-adjust:exact;-webkit-print-color-adjust:exact}"
        "svg{print-color-adjust:exact;-webkit-print-color-adjust:exact}}\n"
        "</style>\n";

static void head(struct html *h, const json_t *a)
{
	const json_t *p = aget(a, "product");
	lit(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>Security assessment: ");
	esc(h, sget(p, "vendor"));
	lit(h, " ");
	esc(h, sget(p, "product"));
	lit(h, " ");
	esc(h, sget(p, "firmware_version"));
	lit(h, "</title>\n");
	lit(h, STYLE);
	lit(h, "</head>\n<body>\n<main>\n");
}

static void kv(struct html *h, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	fmt(h, "<dt>%s</dt><dd>", key);
	esc(h, value);
	lit(h, "</dd>");
}

static void identity_card(struct html *h, const json_t *a)
{
	const json_t *p = aget(a, "product"), *img = aget(a, "image");
	lit(h, "<section class=\"card\" aria-labelledby=\"h-product\"><h3 id=\"h-product\">"
	       "Product</h3><dl class=\"kv\">");
	kv(h, "Vendor", it_report_str(p, "vendor"));
	kv(h, "Product", it_report_str(p, "product"));
	if (strcmp(sget(p, "model"), sget(p, "product")) != 0)
		kv(h, "Model", it_report_str(p, "model"));
	kv(h, "Firmware", it_report_str(p, "firmware_version"));
	kv(h, "Hardware", it_report_str(p, "hardware_version"));
	kv(h, "Image", it_report_str(img, "name"));
	if (it_report_str(img, "sha256")) {
		lit(h, "<dt>SHA-256</dt><dd class=\"mono\" title=\"");
		esc(h, it_report_str(img, "sha256"));
		lit(h, "\">");
		esc_max(h, it_report_str(img, "sha256"), 16);
		lit(h, "</dd>");
	}
	lit(h, "<dt>Support until</dt><dd>");
	esc(h, it_report_str(a, "support_until") ? sget(a, "support_until") : "not stated");
	lit(h, "</dd>");
	kv(h, "Disclosure", it_report_str(aget(a, "disclosure"), "contact"));
	lit(h, "</dl></section>\n");
}

static void tier_card(struct html *h, const json_t *a)
{
	const json_t *t = aget(a, "tier"), *r;
	const char *levels[] = {"basic", "substantial", "high"};
	int li = find_word(it_report_str(t, "level"), levels, 3);
	size_t i;
	fmt(h,
	    "<section class=\"card tier-%s\" aria-labelledby=\"h-tier\"><h3 id=\"h-tier\">"
	    "Risk tier</h3><div class=\"big\" id=\"tier\">",
	    li < 0 ? "unknown" : levels[li]);
	esc(h, it_report_str(t, "level") ? sget(t, "level") : "unknown");
	lit(h, "</div><p>EU CRA class: <strong>");
	esc(h, it_report_str(t, "cra_class") ? sget(t, "cra_class") : "unknown");
	lit(h, "</strong><br>Findings fail from severity <strong>");
	esc(h, sget(t, "fail_at"));
	lit(h, "</strong> up</p><strong>Why</strong><ul class=\"tight\">");
	json_array_foreach(aget(t, "reasons"), i, r)
	{
		lit(h, "<li>");
		esc(h, sget(r, "because"));
		lit(h, " <small>(");
		esc(h, sget(r, "tier"));
		lit(h, ")</small></li>");
	}
	if (!json_array_size(aget(t, "reasons")))
		lit(h, "<li>no rule raised it: the basic tier</li>");
	if (it_report_str(t, "cra_because")) {
		lit(h, "<li>CRA class: ");
		esc(h, sget(t, "cra_because"));
		lit(h, "</li>");
	}
	lit(h, "</ul></section>\n");
}

static void outcome_card(struct html *h, const json_t *a)
{
	const json_t *sum = aget(a, "summary"), *s;
	size_t i, met = 0, n = json_array_size(aget(a, "standards"));
	json_array_foreach(aget(a, "standards"), i, s) met += json_is_true(aget(s, "met"));
	fmt(h,
	    "<section class=\"card\" aria-labelledby=\"h-outcome\"><h3 id=\"h-outcome\">"
	    "Outcome</h3><div class=\"big\">%zu of %zu standards met</div>"
	    "<p><strong>%lld</strong> required provisions fail<br><strong>%lld</strong> need an "
	    "answer from the maker<br>%lld provisions assessed, %zu gaps to close</p></section>\n",
	    met, n, (long long)iget(sum, "mandatory_failed"),
	    (long long)iget(sum, "mandatory_inconclusive"), (long long)iget(sum, "provisions"),
	    json_array_size(aget(a, "gaps")));
}

static void top(struct html *h, const json_t *a)
{
	const json_t *p = aget(a, "product");
	lit(h, "<header><h1>Security assessment: ");
	esc(h, sget(p, "vendor"));
	lit(h, " ");
	esc(h, sget(p, "product"));
	lit(h, "</h1><p class=\"sub\">Firmware ");
	esc(h, it_report_str(p, "firmware_version") ? sget(p, "firmware_version") : "unknown");
	lit(h, " &middot; assessed ");
	esc(h, sget(a, "assessed_at"));
	lit(h, " by ");
	esc(h, sget(aget(a, "tool"), "name"));
	lit(h, " ");
	esc(h, sget(aget(a, "tool"), "version"));
	lit(h, "</p></header>\n<div class=\"cards\">\n");
	identity_card(h, a);
	tier_card(h, a);
	outcome_card(h, a);
	lit(h, "</div>\n");
}

static json_int_t vcount(const json_t *std, const char *verdict)
{
	return iget(aget(std, "counts"), verdict);
}

static void standards_table(struct html *h, const json_t *a)
{
	const json_t *s;
	size_t i;
	lit(h, "<section aria-labelledby=\"h-standards\"><h2 id=\"h-standards\">Verdict per "
	       "standard</h2>\n<p class=\"muted\">Met: every provision required of this product "
	       "passes (or is met by declaration). Level met: <em>mandatory</em> when the "
	       "required ones pass, <em>mandatory+recommended</em> when every applicable one "
	       "does.</p>\n<table><thead><tr><th scope=\"col\">Standard</th><th scope=\"col\">"
	       "Met</th><th scope=\"col\">Level met</th><th scope=\"col\" class=\"n\">Pass</th>"
	       "<th scope=\"col\" class=\"n\"><abbr title=\"declared\">Decl.</abbr></th><th "
	       "scope=\"col\" class=\"n\">N/A</th>"
	       "<th scope=\"col\" class=\"n\">Open</th><th scope=\"col\" class=\"n\">Fail</th>"
	       "<th scope=\"col\" class=\"n\"><abbr title=\"required provisions that fail\">"
	       "Req. fail</abbr></th><th scope=\"col\" class=\"n\"><abbr title=\"required "
	       "provisions without an answer\">Req. open</abbr></th></tr></thead><tbody>\n");
	json_array_foreach(aget(a, "standards"), i, s)
	{
		int met = json_is_true(aget(s, "met"));
		lit(h, "<tr><th scope=\"row\">");
		esc(h, sget(s, "title"));
		lit(h, " <small class=\"mono\">");
		esc(h, sget(s, "id"));
		fmt(h, "</small></th><td><span class=\"badge %s\">%s</span></td><td>",
		    met ? "met" : "notmet", met ? "MET" : "NOT MET");
		esc(h, sget(s, "level_met"));
		lit(h, "</td>");
		for (size_t v = 0; v < 5; v++)
			fmt(h, "<td class=\"n\">%lld</td>", (long long)vcount(s, VERDICTS[v]));
		fmt(h, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
		    (long long)iget(s, "required_failed"),
		    (long long)iget(s, "required_inconclusive"));
	}
	if (!json_array_size(aget(a, "standards")))
		lit(h, "<tr><td colspan=\"10\">No standard was assessed.</td></tr>\n");
	lit(h, "</tbody></table></section>\n");
}

/* One bar of a chart: a label, a tooltip, and up to five stacked segments. */
struct bar {
	struct it_buf label; /* untrusted, escaped when drawn */
	struct it_buf tip;
	json_int_t v[5];
};

struct chart {
	const char *id, *title, *what; /* trusted literals */
	size_t nseg;
	const char *const *seg_name;  /* legend words */
	const char *const *seg_class; /* fill classes */
	struct bar *bars;
	size_t n, more; /* bars drawn, rows left out */
	int stacked;    /* segments are parts of one total: a legend, numbers inside */
	int wide;       /* spans the page */
};

#define CH_W_WIDE 1000 /* the per-standard chart spans the page; the others half of it */
#define CH_W      500
#define CH_LABEL  175 /* label column; then the bars, then 45 units for the total */
#define CH_ROW    26

static json_int_t bar_total(const struct bar *b, size_t nseg)
{
	json_int_t t = 0;
	for (size_t i = 0; i < nseg; i++)
		t += b->v[i] > 0 ? b->v[i] : 0;
	return t;
}

/* <title> and <desc>: the chart's numbers as text for screen readers and text browsers. */
static void chart_text(struct html *h, const struct chart *c)
{
	fmt(h, "<title id=\"%s-t\">%s</title><desc id=\"%s-d\">", c->id, c->title, c->id);
	for (size_t i = 0; i < c->n; i++) {
		esc(h, it_buf_str(&c->bars[i].label));
		lit(h, ":");
		int first = 1;
		for (size_t s = 0; s < c->nseg; s++) {
			if (c->bars[i].v[s] <= 0)
				continue;
			fmt(h, "%s %lld%s%s", first ? "" : ",", (long long)c->bars[i].v[s],
			    c->stacked ? " " : "", c->stacked ? c->seg_name[s] : "");
			first = 0;
		}
		if (first)
			lit(h, " 0");
		lit(h, ". ");
	}
	if (!c->n)
		fmt(h, "No %s.", c->what);
	if (c->more)
		fmt(h, " %zu more not drawn.", c->more);
	lit(h, "</desc>");
}

static void chart_bar(struct html *h, const struct chart *c, size_t i, json_int_t max, int y)
{
	const struct bar *b = &c->bars[i];
	double x = CH_LABEL;
	lit(h, "<g><title>");
	esc(h, it_buf_str(b->tip.len ? &b->tip : &b->label));
	lit(h, "</title>");
	fmt(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CH_LABEL - 8, y + 15);
	esc_max(h, it_buf_str(&b->label), LABEL_CHARS);
	lit(h, "</text>");
	for (size_t s = 0; s < c->nseg; s++) {
		if (b->v[s] <= 0)
			continue;
		double w = (double)b->v[s] *
		           (c->wide ? CH_W_WIDE - CH_LABEL - 45 : CH_W - CH_LABEL - 45) /
		           (double)max;
		fmt(h, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\"/>",
		    c->seg_class[s], x, y + 2, w < 1 ? 1.0 : w);
		if (w >= 24 && c->stacked)
			fmt(h,
			    "<text class=\"%s\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%lld"
			    "</text>",
			    strcmp(c->seg_class[s], "f-open") == 0 ? "in-dark" : "in", x + w / 2,
			    y + 15, (long long)b->v[s]);
		x += w;
	}
	fmt(h, "<text x=\"%.1f\" y=\"%d\">%lld</text></g>\n", x + 6, y + 15,
	    (long long)bar_total(b, c->nseg));
}

static void chart_legend(struct html *h, const struct chart *c, int y)
{
	int x = CH_LABEL;
	for (size_t s = 0; s < c->nseg; s++) {
		fmt(h,
		    "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>"
		    "<text x=\"%d\" y=\"%d\">%s</text>",
		    c->seg_class[s], x, y, x + 16, y + 11, c->seg_name[s]);
		x += 28 + 8 * (int)strlen(c->seg_name[s]);
	}
}

static void chart_draw(struct html *h, const struct chart *c)
{
	json_int_t max = 1;
	int rows = c->n ? (int)c->n : 1, height = 12 + rows * CH_ROW + (c->stacked ? 28 : 0);
	int width = c->wide ? CH_W_WIDE : CH_W;
	for (size_t i = 0; i < c->n; i++)
		if (bar_total(&c->bars[i], c->nseg) > max)
			max = bar_total(&c->bars[i], c->nseg);
	fmt(h,
	    "<figure id=\"%s\"%s><figcaption>%s</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\" role=\"img\" aria-labelledby=\"%s-t %s-d\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\">",
	    c->id, c->wide ? " class=\"wide\"" : "", c->title, c->id, c->id, width, height, width,
	    height);
	chart_text(h, c);
	fmt(h, "<line x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa0a6\"/>\n", CH_LABEL,
	    CH_LABEL, 8 + rows * CH_ROW);
	for (size_t i = 0; i < c->n; i++)
		chart_bar(h, c, i, max, 8 + (int)i * CH_ROW);
	if (!c->n)
		fmt(h, "<text x=\"%d\" y=\"%d\">No %s.</text>", CH_LABEL + 8, 8 + 15, c->what);
	if (c->stacked)
		chart_legend(h, c, 14 + rows * CH_ROW);
	lit(h, "</svg>");
	if (c->more)
		fmt(h, "<p class=\"muted\">&hellip; and %zu more (see the details below).</p>",
		    c->more);
	lit(h, "</figure>\n");
}

static void bars_free(struct bar *bars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		it_buf_free(&bars[i].label);
		it_buf_free(&bars[i].tip);
	}
	free(bars);
}

/* Distinct findings (check, severity, path, message) cited by any provision, by severity. */
static int chart_severity(struct html *h, const json_t *a)
{
	static const char *const cls[] = {"f-critical", "f-high", "f-medium", "f-low", "f-info"};
	struct bar bars[5] = {0};
	struct chart c = {.id = "chart-severity",
	                  .title = "Findings by severity",
	                  .what = "findings",
	                  .nseg = 5,
	                  .seg_name = SEVERITIES,
	                  .seg_class = cls,
	                  .bars = bars};
	json_t *seen = json_object();
	const json_t *p, *f;
	size_t i, k, total = 0;
	int rc = seen ? 0 : -1;
	json_array_foreach(aget(a, "provisions"), i, p)
	{
		json_array_foreach(aget(p, "findings"), k, f)
		{
			struct it_buf key = IT_BUF_INIT;
			int s = sev_index(it_report_str(f, "severity"));
			if (rc < 0 || s < 0)
				continue;
			rc = it_buf_printf(&key, "%s\x1f%s\x1f%s\x1f%s", sget(f, "check"),
			                   sget(f, "severity"), sget(f, "path"),
			                   sget(f, "message"));
			if (rc == 0 && !json_object_get(seen, it_buf_str(&key))) {
				rc = json_object_set_new(seen, it_buf_str(&key), json_true());
				bars[s].v[s]++;
				total++;
			}
			it_buf_free(&key);
		}
	}
	for (i = 0; rc == 0 && i < 5; i++)
		rc = it_buf_puts(&bars[i].label, SEVERITIES[i]);
	if (rc == 0) {
		c.n = total ? 5 : 0; /* every severity, zeros too, once there is a finding */
		chart_draw(h, &c);
	}
	json_decref(seen);
	for (i = 0; i < 5; i++) {
		it_buf_free(&bars[i].label);
		it_buf_free(&bars[i].tip);
	}
	return rc;
}

static int chart_verdicts(struct html *h, const json_t *a)
{
	static const char *const cls[] = {"f-pass", "f-decl", "f-na", "f-open", "f-fail"};
	static const char *const names[] = {"pass", "declared", "n/a", "open", "fail"};
	size_t n = json_array_size(aget(a, "standards")), i;
	struct bar *bars = calloc(n ? n : 1, sizeof *bars);
	struct chart c = {.id = "chart-verdicts",
	                  .title = "Provisions by verdict, per standard",
	                  .what = "standards",
	                  .nseg = 5,
	                  .seg_name = names,
	                  .seg_class = cls,
	                  .bars = bars,
	                  .n = n,
	                  .stacked = 1,
	                  .wide = 1};
	const json_t *s;
	int rc = bars ? 0 : -1;
	json_array_foreach(aget(a, "standards"), i, s)
	{
		if (rc < 0)
			break;
		for (size_t v = 0; v < 5; v++) {
			/* bounded, so that bar totals cannot overflow */
			json_int_t k = vcount(s, VERDICTS[v]);
			bars[i].v[v] = k < 0 ? 0 : k > 1000000000 ? 1000000000 : k;
		}
		rc = it_buf_puts(&bars[i].label, sget(s, "id"));
		rc = rc < 0 ? rc : it_buf_puts(&bars[i].tip, sget(s, "title"));
	}
	if (rc == 0)
		chart_draw(h, &c);
	bars_free(bars, n);
	return rc;
}

/* "pkg:deb/debian/busybox@1.35%2B1?arch=x" -> "busybox@1.35+1": the part people read.
 * %XX is decoded only when it gives printable ASCII. */
static int purl_short(const char *purl, struct it_buf *out)
{
	const char *end = purl + strcspn(purl, "?#"), *at = memchr(purl, '@', (size_t)(end - purl));
	const char *start = purl;
	for (const char *q = purl; q < (at ? at : end); q++)
		if (*q == '/')
			start = q + 1;
	if (strncmp(purl, "pkg:", 4) != 0)
		start = purl, end = purl + strlen(purl);
	for (const char *q = start; q < end; q++) {
		unsigned v;
		char hex[3] = {0};
		if (*q == '%' && end - q >= 3 &&
		    (memcpy(hex, q + 1, 2), sscanf(hex, "%2x", &v)) == 1 &&
		    strspn(hex, "0123456789abcdefABCDEF") == 2 && v >= 0x20 && v < 0x7f) {
			if (it_buf_putc(out, (char)v) < 0)
				return -1;
			q += 2;
		} else if (it_buf_putc(out, *q) < 0) {
			return -1;
		}
	}
	return 0;
}

static int cmp_bars(const void *x, const void *y)
{
	const struct bar *a = x, *b = y;
	json_int_t ta = a->v[0] + a->v[1], tb = b->v[0] + b->v[1];
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(it_buf_str(&a->tip), it_buf_str(&b->tip));
}

/* One more vulnerability of comp in per[comp] = [kev, other]. */
static int count_vuln(json_t *per, const char *comp, int kev)
{
	json_t *cnt = json_object_get(per, comp), *slot;
	if (!cnt) {
		cnt = json_pack("[ii]", 0, 0);
		if (json_object_set_new(per, comp, cnt) < 0)
			return -1;
	}
	slot = json_array_get(cnt, kev ? 0 : 1);
	return json_integer_set(slot, json_integer_value(slot) + 1);
}

/* Distinct (vulnerability, component) pairs cited by any provision, per component. */
static int collect_vulns(const json_t *a, json_t *per_component)
{
	json_t *seen = json_object();
	const json_t *p, *v;
	size_t i, k;
	int rc = seen ? 0 : -1;
	json_array_foreach(aget(a, "provisions"), i, p)
	{
		json_array_foreach(aget(p, "vulnerabilities"), k, v)
		{
			struct it_buf key = IT_BUF_INIT;
			const char *comp =
			        it_report_str(v, "component") ? sget(v, "component") : "?";
			if (rc < 0)
				break;
			rc = it_buf_printf(&key, "%s\x1f%s", sget(v, "id"), comp);
			if (rc == 0 && !json_object_get(seen, it_buf_str(&key))) {
				rc = count_vuln(per_component, comp, json_is_true(aget(v, "kev")));
				if (rc == 0)
					rc = json_object_set_new(seen, it_buf_str(&key),
					                         json_true());
			}
			it_buf_free(&key);
		}
	}
	json_decref(seen);
	return rc;
}

static int chart_vulns(struct html *h, const json_t *a)
{
	static const char *const cls[] = {"f-kev", "f-other"};
	static const char *const names[] = {"known exploited (KEV)", "other"};
	json_t *per = json_object();
	struct bar *bars = NULL;
	size_t n = 0, i = 0;
	const char *comp;
	json_t *cnt;
	int rc = per ? collect_vulns(a, per) : -1;
	n = json_object_size(per);
	if (rc == 0 && !(bars = calloc(n ? n : 1, sizeof *bars)))
		rc = -1;
	json_object_foreach(per, comp, cnt)
	{
		if (rc < 0)
			break;
		bars[i].v[0] = json_integer_value(json_array_get(cnt, 0));
		bars[i].v[1] = json_integer_value(json_array_get(cnt, 1));
		rc = purl_short(comp, &bars[i].label);
		rc = rc < 0 ? rc : it_buf_puts(&bars[i].tip, comp);
		i++;
	}
	if (rc == 0) {
		qsort(bars, n, sizeof *bars, cmp_bars);
		struct chart c = {.id = "chart-vulns",
		                  .title = "Known vulnerabilities by component",
		                  .what = "known vulnerabilities",
		                  .nseg = 2,
		                  .seg_name = names,
		                  .seg_class = cls,
		                  .bars = bars,
		                  .n = n > CHART_ROWS ? CHART_ROWS : n,
		                  .more = n > CHART_ROWS ? n - CHART_ROWS : 0,
		                  .stacked = 1};
		chart_draw(h, &c);
	}
	bars_free(bars, n);
	json_decref(per);
	return rc;
}

static int charts(struct html *h, const json_t *a)
{
	lit(h, "<section aria-labelledby=\"h-charts\"><h2 id=\"h-charts\">At a glance</h2>\n"
	       "<div class=\"charts\">\n");
	if (chart_verdicts(h, a) < 0 || chart_severity(h, a) < 0 || chart_vulns(h, a) < 0)
		return -1;
	lit(h, "</div><p class=\"muted\">Findings and vulnerabilities are counted once each, "
	       "as cited by the provisions they are evidence for.</p></section>\n");
	return 0;
}

/* A link to a provision's row in the details: the anchor is its index, never its id. */
static void prov_link(struct html *h, const json_t *index, const char *id)
{
	const json_t *n = json_object_get(index, id ? id : "");
	if (n)
		fmt(h, "<a href=\"#p%lld\">", (long long)json_integer_value(n));
	lit(h, "<span class=\"mono\">");
	esc(h, id);
	lit(h, n ? "</span></a>" : "</span>");
}

static void gap_what(struct html *h, const json_t *g)
{
	const char *kind = sget(g, "kind");
	lit(h, "<strong class=\"mono\">");
	esc(h, sget(g, "id"));
	lit(h, "</strong>");
	if (strcmp(kind, "finding") == 0) {
		lit(h, ": ");
		esc(h, sget(g, "title"));
		fmt(h, " <small>(%lld findings)</small>", (long long)iget(g, "findings"));
	} else if (strcmp(kind, "vulnerability") == 0) {
		struct it_buf name = IT_BUF_INIT;
		h->bad |= purl_short(sget(g, "component"), &name) < 0;
		lit(h, " in <span class=\"mono\" title=\"");
		esc(h, sget(g, "component"));
		lit(h, "\">");
		esc(h, it_buf_str(&name));
		lit(h, "</span>");
		it_buf_free(&name);
	} else {
		lit(h, " ");
		verdict_badge(h, it_report_str(g, "verdict"));
	}
}

static void gap_row(struct html *h, const json_t *g, const json_t *index)
{
	const json_t *p;
	size_t k, np = json_array_size(aget(g, "provisions"));
	fmt(h, "<tr><td class=\"n\">%lld</td><td>", (long long)iget(g, "rank"));
	if (json_is_true(aget(g, "kev")))
		lit(h, "<span class=\"badge kev\">KEV</span> ");
	sev_badge(h, it_report_str(g, "severity"));
	lit(h, "</td><td>");
	gap_what(h, g);
	lit(h, "</td><td>");
	if (it_report_str(g, "remediation"))
		esc(h, sget(g, "remediation"));
	else if (strcmp(sget(g, "kind"), "vulnerability") == 0)
		lit(h, "Update the component to a fixed version, or state in the VEX why the "
		       "product is not affected.");
	else if (it_report_str(g, "question"))
		esc(h, sget(g, "question"));
	fmt(h, "</td><td><details><summary class=\"nowrap\">%zu provision%s</summary>", np,
	    np == 1 ? "" : "s");
	json_array_foreach(aget(g, "provisions"), k, p)
	{
		if (k == LIST_CAP) {
			fmt(h, "&hellip; and %zu more", np - LIST_CAP);
			break;
		}
		prov_link(h, index, json_string_value(p));
		lit(h, " ");
	}
	lit(h, "</details></td></tr>\n");
}

static void gaps_table_head(struct html *h)
{
	lit(h, "<table><thead><tr><th scope=\"col\" class=\"n\">#</th><th scope=\"col\">"
	       "Severity</th><th scope=\"col\">What</th><th scope=\"col\">How to fix / what to "
	       "answer</th><th scope=\"col\">Closes</th></tr></thead><tbody>\n");
}

static void fix_first(struct html *h, const json_t *a, const json_t *index)
{
	const json_t *gaps = aget(a, "gaps"), *g;
	size_t n = json_array_size(gaps), i;
	lit(h, "<section aria-labelledby=\"h-fix\"><h2 id=\"h-fix\">Fix first</h2>\n"
	       "<p class=\"muted\">Known-exploited (KEV) vulnerabilities first, then by severity "
	       "and by how many provisions one fix closes.</p>\n");
	if (!n) {
		lit(h, "<p>Nothing to fix: no failing check, no failing vulnerability and no open "
		       "required provision.</p></section>\n");
		return;
	}
	gaps_table_head(h);
	json_array_foreach(gaps, i, g)
	{
		if (i == TOP_GAPS)
			break;
		gap_row(h, g, index);
	}
	lit(h, "</tbody></table>\n");
	if (n > TOP_GAPS) {
		fmt(h, "<details><summary>All %zu gaps</summary>\n", n);
		gaps_table_head(h);
		json_array_foreach(gaps, i, g)
		{
			if (i < TOP_GAPS)
				continue;
			if (i == ALL_GAPS_CAP) {
				fmt(h,
				    "<tr><td colspan=\"5\">&hellip; and %zu more (--format json)"
				    "</td></tr>\n",
				    n - ALL_GAPS_CAP);
				break;
			}
			gap_row(h, g, index);
		}
		lit(h, "</tbody></table></details>\n");
	}
	lit(h, "</section>\n");
}

static void finding_item(struct html *h, const json_t *f)
{
	lit(h, "<li>");
	sev_badge(h, it_report_str(f, "severity"));
	lit(h, " <span class=\"mono\">");
	esc(h, sget(f, "check"));
	lit(h, "</span> <span class=\"mono\">");
	esc(h, sget(f, "path"));
	lit(h, "</span>: ");
	esc(h, sget(f, "message"));
	if (json_is_false(aget(f, "fails")))
		lit(h, " <small>(below the failing threshold)</small>");
	lit(h, "</li>");
}

/* A <ul> of the first LIST_CAP items of list, each written by item (an <li>), and how
 * many more there are: the JSON has them all. */
static void capped_list(struct html *h, const json_t *list,
                        void (*item)(struct html *, const json_t *))
{
	const json_t *x;
	size_t k, n = json_array_size(list);
	lit(h, "<ul class=\"tight\">");
	json_array_foreach(list, k, x)
	{
		if (k == LIST_CAP) {
			fmt(h, "<li>&hellip; and %zu more</li>", n - LIST_CAP);
			break;
		}
		item(h, x);
	}
	lit(h, "</ul>");
}

static void consistency(struct html *h, const json_t *a)
{
	const json_t *c;
	size_t i;
	lit(h, "<section aria-labelledby=\"h-cons\"><h2 id=\"h-cons\">Where the profile and the "
	       "firmware disagree</h2>\n");
	if (!json_array_size(aget(a, "consistency")))
		lit(h, "<p>No disagreement found between the product profile and the "
		       "firmware.</p>\n");
	json_array_foreach(aget(a, "consistency"), i, c)
	{
		lit(h, "<div class=\"bad\"><p>The profile says <strong>");
		esc(h, sget(c, "profile"));
		lit(h, "</strong>, but the firmware shows: <strong>");
		esc(h, sget(c, "firmware"));
		lit(h, "</strong> <small class=\"mono\">(");
		esc(h, sget(c, "id"));
		lit(h, ")</small></p>");
		capped_list(h, aget(c, "findings"), finding_item);
		lit(h, "</div>\n");
	}
	lit(h, "</section>\n");
}

static void threat_item(struct html *h, const json_t *t)
{
	lit(h, "<li>");
	sev_badge(h, it_report_str(t, "severity"));
	lit(h, " <span class=\"mono\">");
	esc(h, sget(t, "id"));
	lit(h, "</span>");
	if (it_report_str(t, "title")) {
		lit(h, ": ");
		esc(h, sget(t, "title"));
	}
	lit(h, "</li>");
}

static void safety(struct html *h, const json_t *a)
{
	const json_t *f;
	size_t i;
	lit(h, "<section aria-labelledby=\"h-safety\"><h2 id=\"h-safety\">Safety: remote "
	       "actuation</h2>\n");
	if (!json_array_size(aget(a, "safety"))) {
		lit(h, "<p>The profile declares no remote actuation function.</p></section>\n");
		return;
	}
	lit(h, "<p class=\"muted\">For each function the product performs on command over the "
	       "network: its physical consequence, and the open security gaps that could give "
	       "an attacker control of it.</p>\n<table><thead><tr><th scope=\"col\">Function"
	       "</th><th scope=\"col\">Safety impact</th><th scope=\"col\">Consequence</th>"
	       "<th scope=\"col\">Open gaps that reach it</th></tr></thead><tbody>\n");
	json_array_foreach(aget(a, "safety"), i, f)
	{
		size_t nt = json_array_size(aget(f, "threats"));
		lit(h, "<tr><th scope=\"row\">");
		esc(h, sget(f, "function"));
		lit(h, "<br><small>");
		esc(h, sget(f, "description"));
		lit(h, "</small></th><td>");
		esc(h, it_report_str(f, "safety_impact") ? sget(f, "safety_impact") : "not stated");
		lit(h, "</td><td>");
		esc(h, sget(f, "consequence"));
		fmt(h, "</td><td><details><summary>%zu gap%s</summary>", nt, nt == 1 ? "" : "s");
		capped_list(h, aget(f, "threats"), threat_item);
		lit(h, "</details></td></tr>\n");
	}
	lit(h, "</tbody></table></section>\n");
}

static void str_list(struct html *h, const json_t *list)
{
	const json_t *s;
	size_t k;
	json_array_foreach(list, k, s)
	{
		if (k == LIST_CAP) {
			fmt(h, ", &hellip; and %zu more", json_array_size(list) - LIST_CAP);
			break;
		}
		lit(h, k ? ", " : "");
		esc(h, json_string_value(s));
	}
}

static void data_processed(struct html *h, const json_t *processed)
{
	const char *cat;
	const json_t *d, *u;
	size_t k;
	lit(h, "<h3>Data the product processes</h3><table><thead><tr><th scope=\"col\">Category"
	       "</th><th scope=\"col\">Processed</th><th scope=\"col\">What and why</th></tr>"
	       "</thead><tbody>\n");
	json_object_foreach((json_t *)processed, cat, d)
	{
		lit(h, "<tr><th scope=\"row\">");
		esc(h, cat);
		fmt(h, "</th><td>%s</td><td>", json_is_true(aget(d, "processed")) ? "yes" : "no");
		json_array_foreach(aget(d, "uses"), k, u)
		{
			if (k == LIST_CAP)
				break;
			lit(h, k ? "<br>" : "");
			esc(h, sget(u, "what"));
			lit(h, " &mdash; ");
			esc(h, sget(u, "purpose"));
		}
		lit(h, "</td></tr>\n");
	}
	lit(h, "</tbody></table>\n");
}

static void protection_table(struct html *h, const json_t *list, const json_t *index)
{
	const json_t *p;
	size_t k;
	lit(h, "<table><thead><tr><th scope=\"col\">Provision</th><th scope=\"col\">Protects by"
	       "</th><th scope=\"col\">Verdict</th></tr></thead><tbody>\n");
	json_array_foreach(list, k, p)
	{
		lit(h, "<tr><td>");
		prov_link(h, index, it_report_str(p, "id"));
		lit(h, "</td><td>");
		esc(h, sget(p, "title"));
		lit(h, "</td><td>");
		verdict_badge(h, it_report_str(p, "verdict"));
		lit(h, "</td></tr>\n");
	}
	lit(h, "</tbody></table>\n");
}

static void privacy(struct html *h, const json_t *a, const json_t *index)
{
	const json_t *pv = aget(a, "privacy"), *fl;
	size_t i;
	lit(h, "<section aria-labelledby=\"h-privacy\"><h2 id=\"h-privacy\">Privacy: data flows "
	       "and their protection</h2>\n<p class=\"muted\">The security part of the maker's "
	       "Data Protection Impact Assessment (DPIA).</p>\n");
	if (json_object_size(aget(pv, "processed")))
		data_processed(h, aget(pv, "processed"));
	lit(h, "<h3>Flows to third parties</h3>\n");
	if (!json_array_size(aget(pv, "flows")))
		lit(h, "<p>The profile declares no data flow to a third party.</p>\n");
	else
		lit(h, "<table><thead><tr><th scope=\"col\">Recipient</th><th scope=\"col\">Data"
		       "</th><th scope=\"col\">Purpose</th><th scope=\"col\">Stored in</th></tr>"
		       "</thead><tbody>\n");
	json_array_foreach(aget(pv, "flows"), i, fl)
	{
		lit(h, "<tr><th scope=\"row\">");
		esc(h, sget(fl, "recipient"));
		lit(h, "</th><td>");
		str_list(h, aget(fl, "data"));
		lit(h, "</td><td>");
		esc(h, sget(fl, "purpose"));
		lit(h, "</td><td>");
		esc(h, sget(fl, "storage_country"));
		if (it_report_str(fl, "storage_location")) {
			lit(h, " <small>(");
			esc(h, sget(fl, "storage_location"));
			lit(h, ")</small>");
		}
		lit(h, "</td></tr>\n");
	}
	if (json_array_size(aget(pv, "flows")))
		lit(h, "</tbody></table>\n");
	lit(h, "<h3>How the data is protected</h3>\n");
	protection_table(h, aget(pv, "protection"), index);
	lit(h, "</section>\n");
}

static void vuln_item(struct html *h, const json_t *v)
{
	lit(h, "<li>");
	if (json_is_true(aget(v, "kev")))
		lit(h, "<span class=\"badge kev\">KEV</span> ");
	sev_badge(h, it_report_str(v, "severity"));
	lit(h, " <span class=\"mono\">");
	esc(h, sget(v, "id"));
	lit(h, "</span> in <span class=\"mono\">");
	esc(h, sget(v, "component"));
	lit(h, "</span>");
	if (json_is_false(aget(v, "fails")))
		lit(h, " <small>(does not fail it)</small>");
	lit(h, "</li>");
}

static void declaration(struct html *h, const json_t *d)
{
	lit(h, "<p><strong>Declared:</strong> ");
	esc(h, sget(d, "status"));
	if (it_report_str(d, "justification")) {
		lit(h, " &mdash; ");
		esc(h, sget(d, "justification"));
	}
	if (it_report_str(d, "evidence")) {
		lit(h, " <small>(evidence: ");
		esc(h, sget(d, "evidence"));
		lit(h, ")</small>");
	}
	lit(h, "</p>");
}

/* The evidence of one provision, folded: findings, vulnerabilities, declaration, question. */
static void evidence(struct html *h, const json_t *p)
{
	const json_t *f = aget(p, "findings"), *v = aget(p, "vulnerabilities");
	size_t nf = json_array_size(f), nv = json_array_size(v);
	const json_t *d = aget(p, "declaration");
	if (!nf && !nv && !json_is_object(d) && !json_array_size(aget(p, "checks")))
		return;
	fmt(h, "<details><summary>Evidence: %zu finding%s, %zu vulnerabilit%s%s</summary>", nf,
	    nf == 1 ? "" : "s", nv, nv == 1 ? "y" : "ies",
	    json_is_object(d) ? ", declaration" : "");
	if (json_array_size(aget(p, "checks"))) {
		lit(h, "<p><small>Checks: ");
		str_list(h, aget(p, "checks"));
		lit(h, "</small></p>");
	}
	if (nf)
		capped_list(h, f, finding_item);
	if (nv)
		capped_list(h, v, vuln_item);
	if (json_is_object(d))
		declaration(h, d);
	lit(h, "</details>");
}

/* Does one of the reasons already quote the question? */
static int reasons_say(const json_t *reasons, const char *question)
{
	const json_t *r;
	size_t k;
	json_array_foreach(reasons, k, r)
	{
		if (strstr(json_string_value(r) ? json_string_value(r) : "", question))
			return 1;
	}
	return 0;
}

static void provision_row(struct html *h, const json_t *p, size_t index)
{
	const char *id = sget(p, "id"), *colon = strchr(id, ':');
	const json_t *r;
	size_t k;
	int vi = verdict_index(it_report_str(p, "verdict"));
	fmt(h, "<tr id=\"p%zu\" class=\"v-%s\"><td class=\"mono nowrap\">", index,
	    vi < 0 ? "unknown" : VERDICT_CLASS[vi]);
	esc(h, colon ? colon + 1 : id);
	lit(h, "</td><td>");
	esc(h, sget(p, "title"));
	lit(h, "<br><small>");
	esc(h, sget(p, "level"));
	lit(h, json_is_true(aget(p, "required"))   ? ", required"
	       : json_is_false(aget(p, "applies")) ? ", does not apply"
	                                           : ", not required");
	lit(h, "</small></td><td>");
	verdict_badge(h, it_report_str(p, "verdict"));
	lit(h, "</td><td><ul class=\"tight\">");
	json_array_foreach(aget(p, "reasons"), k, r)
	{
		lit(h, "<li>");
		esc(h, json_string_value(r));
		lit(h, "</li>");
	}
	lit(h, "</ul>");
	if (it_report_str(p, "question") && vi == 3 &&
	    !reasons_say(aget(p, "reasons"), sget(p, "question"))) {
		lit(h, "<p><small>Ask: ");
		esc(h, sget(p, "question"));
		lit(h, "</small></p>");
	}
	evidence(h, p);
	lit(h, "</td></tr>\n");
}

/* The provisions of one standard (std_id NULL: those of no listed standard). */
static void provision_group(struct html *h, const json_t *a, const json_t *std,
                            const json_t *listed)
{
	const char *std_id = std ? sget(std, "id") : NULL;
	const json_t *p;
	size_t i, n = 0;
	json_array_foreach(aget(a, "provisions"), i, p)
	{
		const char *s = sget(p, "standard");
		n += std_id ? strcmp(s, std_id) == 0 : !json_object_get(listed, s);
	}
	if (!n)
		return;
	lit(h, "<details class=\"std\"><summary>");
	esc(h, std ? sget(std, "title") : "Provisions of other standards");
	fmt(h, " &mdash; %zu provisions", n);
	if (std)
		fmt(h, ", %lld fail, %lld open", (long long)vcount(std, "FAIL"),
		    (long long)vcount(std, "INCONCLUSIVE"));
	lit(h, "</summary>\n<table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">"
	       "Provision</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th></tr>"
	       "</thead><tbody>\n");
	json_array_foreach(aget(a, "provisions"), i, p)
	{
		const char *s = sget(p, "standard");
		if (std_id ? strcmp(s, std_id) == 0 : !json_object_get(listed, s))
			provision_row(h, p, i);
	}
	lit(h, "</tbody></table></details>\n");
}

static int details(struct html *h, const json_t *a)
{
	json_t *listed = json_object();
	const json_t *s;
	size_t i;
	int rc = listed ? 0 : -1;
	json_array_foreach(aget(a, "standards"), i, s)
	{
		if (rc == 0)
			rc = json_object_set_new(listed, sget(s, "id"), json_true());
	}
	lit(h, "<section aria-labelledby=\"h-details\"><h2 id=\"h-details\">Every provision"
	       "</h2>\n<p class=\"muted\">Each provision with its verdict, the reasons, the "
	       "evidence found in the firmware and the maker's declaration, grouped by "
	       "standard.</p>\n");
	json_array_foreach(aget(a, "standards"), i, s)
	{
		if (rc == 0)
			provision_group(h, a, s, listed);
	}
	if (rc == 0)
		provision_group(h, a, NULL, listed);
	if (!json_array_size(aget(a, "provisions")))
		lit(h, "<p>No provision was assessed.</p>\n");
	lit(h, "</section>\n");
	json_decref(listed);
	return rc;
}

/* Provision id -> its index in provisions[], for links. */
static json_t *provision_index(const json_t *a)
{
	json_t *index = json_object();
	const json_t *p;
	size_t i;
	json_array_foreach(aget(a, "provisions"), i, p)
	{
		if (index && it_report_str(p, "id") &&
		    json_object_set_new(index, sget(p, "id"), json_integer((json_int_t)i)) < 0) {
			json_decref(index);
			return NULL;
		}
	}
	return index;
}

static void footer(struct html *h, const json_t *a)
{
	const json_t *img = aget(a, "image");
	lit(h, "<footer><p>Produced by ");
	esc(h, sget(aget(a, "tool"), "name"));
	lit(h, " ");
	esc(h, sget(aget(a, "tool"), "version"));
	lit(h, " from the canonical assessment (<code>iotrust assess --format json</code>). "
	       "Image SHA-256 <span class=\"mono\">");
	esc(h, sget(img, "sha256"));
	lit(h, "</span>");
	if (it_report_str(a, "sbom_sha256")) {
		lit(h, ", SBOM SHA-256 <span class=\"mono\">");
		esc(h, sget(a, "sbom_sha256"));
		lit(h, "</span>");
	}
	lit(h, ".</p></footer>\n</main>\n</body>\n</html>\n");
}

int it_assess_html(const json_t *assessment, struct it_buf *out, struct it_error *err)
{
	struct html h = {out, 0};
	size_t start = out->len;
	json_t *index;
	if (!json_is_object(assessment))
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "the assessment is not a JSON object");
	if (!(index = provision_index(assessment)))
		return it_error_nomem(err);
	head(&h, assessment);
	top(&h, assessment);
	standards_table(&h, assessment);
	h.bad |= charts(&h, assessment) < 0;
	fix_first(&h, assessment, index);
	consistency(&h, assessment);
	safety(&h, assessment);
	privacy(&h, assessment, index);
	h.bad |= details(&h, assessment) < 0;
	footer(&h, assessment);
	json_decref(index);
	if (h.bad) {
		it_buf_truncate(out, start);
		return it_error_nomem(err);
	}
	return 0;
}
