/*
 * Writers of the assessment document (docs/assess.md): the canonical JSON, and the text
 * summary for people (product, tier and why, each standard's verdicts, where profile and
 * firmware disagree, what to fix first, the safety and privacy views). Bytes from the
 * firmware or the profile are escaped to printable ASCII.
 */
#include <stdio.h>
#include <string.h>

#include "iotrust/assess_report.h"
#include "report/writer.h"

/* Text from the profile or the firmware, printable ASCII only. */
static void put_safe(struct it_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f)
			it_buf_putc(b, (char)c);
		else
			it_buf_printf(b, "\\x%02x", c);
	}
}

static const char *s_or(const json_t *o, const char *k, const char *dflt)
{
	const char *v = it_report_str(o, k);
	return v ? v : dflt;
}

static json_int_t count(const json_t *std, const char *verdict)
{
	return json_integer_value(json_object_get(json_object_get(std, "counts"), verdict));
}

static void header(struct it_buf *b, const json_t *a)
{
	const json_t *p = json_object_get(a, "product"), *img = json_object_get(a, "image");
	const json_t *tier = json_object_get(a, "tier"), *r;
	size_t i;
	it_buf_puts(b, "Product:     ");
	put_safe(b, s_or(p, "vendor", "?"));
	it_buf_puts(b, " ");
	put_safe(b, s_or(p, "product", "?"));
	if (strcmp(s_or(p, "model", ""), s_or(p, "product", "")) != 0) {
		it_buf_puts(b, " ");
		put_safe(b, s_or(p, "model", ""));
	}
	it_buf_puts(b, ", firmware ");
	put_safe(b, s_or(p, "firmware_version", "?"));
	it_buf_puts(b, "\nImage:       ");
	put_safe(b, s_or(img, "name", "?"));
	it_buf_printf(b, " (SHA-256 %.16s...)\n", s_or(img, "sha256", ""));
	it_buf_puts(b, "Support:     security updates until ");
	put_safe(b, s_or(a, "support_until", "(not stated)"));
	it_buf_printf(b, "\nRisk tier:   %s (EU CRA class: %s; findings fail from %s up)\n",
	              s_or(tier, "level", "?"), s_or(tier, "cra_class", "?"),
	              s_or(tier, "fail_at", "?"));
	json_array_foreach(json_object_get(tier, "reasons"), i, r)
	{
		it_buf_printf(b, "  %-12s because ", s_or(r, "tier", ""));
		put_safe(b, s_or(r, "because", ""));
		it_buf_putc(b, '\n');
	}
	if (it_report_str(tier, "cra_because")) {
		it_buf_puts(b, "  CRA class because ");
		put_safe(b, it_report_str(tier, "cra_because"));
		it_buf_putc(b, '\n');
	}
}

static void standards(struct it_buf *b, const json_t *a)
{
	const json_t *s;
	size_t i;
	it_buf_puts(
	        b, "\nStandards (PASS / FAIL / DECLARED / N-A / INCONCLUSIVE; MET: every required\n"
	           "provision passes; recommended ones beyond the tier's may still fail):\n");
	json_array_foreach(json_object_get(a, "standards"), i, s)
	{
		int met = json_is_true(json_object_get(s, "met"));
		it_buf_printf(
		        b,
		        "  %-24s %-8s %3lld / %3lld / %3lld / %3lld / %3lld   required failed "
		        "%lld, "
		        "open %lld\n",
		        s_or(s, "id", "?"), met ? "MET" : "NOT MET", (long long)count(s, "PASS"),
		        (long long)count(s, "FAIL"), (long long)count(s, "DECLARED"),
		        (long long)count(s, "NOT-APPLICABLE"), (long long)count(s, "INCONCLUSIVE"),
		        (long long)json_integer_value(json_object_get(s, "required_failed")),
		        (long long)json_integer_value(json_object_get(s, "required_inconclusive")));
	}
}

static void consistency(struct it_buf *b, const json_t *a)
{
	const json_t *c, *f;
	size_t i, k;
	if (!json_array_size(json_object_get(a, "consistency")))
		return;
	it_buf_puts(b, "\nThe profile and the firmware disagree:\n");
	json_array_foreach(json_object_get(a, "consistency"), i, c)
	{
		it_buf_puts(b, "  - the profile says ");
		put_safe(b, s_or(c, "profile", ""));
		it_buf_puts(b, ", but ");
		put_safe(b, s_or(c, "firmware", ""));
		it_buf_puts(b, ":\n");
		json_array_foreach(json_object_get(c, "findings"), k, f)
		{
			if (k == 3) {
				it_buf_printf(b, "      ... and %zu more\n",
				              json_array_size(json_object_get(c, "findings")) - 3);
				break;
			}
			it_buf_printf(b, "      %s ", s_or(f, "check", ""));
			put_safe(b, s_or(f, "path", ""));
			it_buf_puts(b, ": ");
			put_safe(b, s_or(f, "message", ""));
			it_buf_putc(b, '\n');
		}
	}
}

static void gaps(struct it_buf *b, const json_t *a)
{
	const json_t *g;
	size_t i, n = json_array_size(json_object_get(a, "gaps"));
	it_buf_printf(b,
	              "\nFix first (%zu gaps; known exploited first, then by severity and by the\n"
	              "number of provisions a fix closes):\n",
	              n);
	json_array_foreach(json_object_get(a, "gaps"), i, g)
	{
		if (i == 15) {
			it_buf_printf(b, "  ... and %zu more (--format json)\n", n - 15);
			break;
		}
		const char *kind = s_or(g, "kind", "");
		it_buf_printf(b, "  %2zu. %s%-8s ", i + 1,
		              json_is_true(json_object_get(g, "kev")) ? "[KEV] " : "",
		              s_or(g, "severity", "-"));
		put_safe(b, s_or(g, "id", ""));
		it_buf_puts(b, ": ");
		if (strcmp(kind, "finding") == 0)
			put_safe(b, s_or(g, "title", ""));
		else if (strcmp(kind, "vulnerability") == 0)
			put_safe(b, s_or(g, "component", ""));
		else
			put_safe(b, s_or(g, "question", ""));
		it_buf_printf(b, " (closes %zu provision%s)\n",
		              json_array_size(json_object_get(g, "provisions")),
		              json_array_size(json_object_get(g, "provisions")) == 1 ? "" : "s");
	}
}

static void safety(struct it_buf *b, const json_t *a)
{
	const json_t *f, *t;
	size_t i, k;
	if (!json_array_size(json_object_get(a, "safety")))
		return;
	it_buf_puts(b, "\nSafety: what could reach each remote actuation function:\n");
	json_array_foreach(json_object_get(a, "safety"), i, f)
	{
		it_buf_puts(b, "  - ");
		put_safe(b, s_or(f, "function", "?"));
		it_buf_printf(b, " (safety impact %s): ", s_or(f, "safety_impact", "?"));
		put_safe(b, s_or(f, "consequence", ""));
		it_buf_printf(b, "\n      %zu open security gaps could reach it",
		              json_array_size(json_object_get(f, "threats")));
		json_array_foreach(json_object_get(f, "threats"), k, t)
		{
			if (k == 5)
				break;
			it_buf_printf(b, "%s%s", k ? ", " : ": ", s_or(t, "id", ""));
		}
		it_buf_putc(b, '\n');
	}
}

static void privacy(struct it_buf *b, const json_t *a)
{
	const json_t *pv = json_object_get(a, "privacy"), *fl, *p;
	size_t i;
	if (!json_array_size(json_object_get(pv, "flows")))
		return;
	it_buf_puts(b, "\nPrivacy (for your DPIA): personal data flows and their protection:\n");
	json_array_foreach(json_object_get(pv, "flows"), i, fl)
	{
		it_buf_puts(b, "  - to ");
		put_safe(b, s_or(fl, "recipient", "?"));
		it_buf_puts(b, " (");
		put_safe(b, s_or(fl, "storage_country", "?"));
		it_buf_puts(b, ")\n");
	}
	it_buf_puts(b, "    protection verdicts:");
	json_array_foreach(json_object_get(pv, "protection"), i, p)
	{
		it_buf_printf(b, "%s%s %s", i ? ", " : " ", s_or(p, "id", ""),
		              s_or(p, "verdict", ""));
	}
	it_buf_putc(b, '\n');
}

static int write_text(const json_t *a, struct it_buf *b, struct it_error *err)
{
	const json_t *sum = json_object_get(a, "summary");
	header(b, a);
	standards(b, a);
	consistency(b, a);
	gaps(b, a);
	safety(b, a);
	privacy(b, a);
	it_buf_printf(
	        b, "\nRequired provisions failed: %lld; open (need an answer): %lld.\n",
	        (long long)json_integer_value(json_object_get(sum, "mandatory_failed")),
	        (long long)json_integer_value(json_object_get(sum, "mandatory_inconclusive")));
	return b->len ? 0 : it_error_nomem(err);
}

int it_assess_report_write(const json_t *assessment, const char *format, struct it_buf *out,
                           struct it_error *err)
{
	if (strcmp(format, "json") == 0)
		return it_report_dump(assessment, 0, out, err);
	if (strcmp(format, "text") == 0)
		return write_text(assessment, out, err);
	if (strcmp(format, "html") == 0)
		return it_assess_html(assessment, out, err);
	return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
	                    "unknown assessment format \"%s\" (json, text, html)", format);
}
