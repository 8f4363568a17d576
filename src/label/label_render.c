/*
 * What a label looks like: the QR code (libqrencode), written as a grayscale PNG (libpng's
 * simplified API) and drawn with the label's fields as a printable SVG; and the way back, a
 * QR code read from a PNG (libpng, then zbar). Every text from the label is XML-escaped.
 */
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>
#include <zbar.h>

#include "iotrust/label.h"

#define QUIET          4           /* modules of white border (ISO/IEC 18004) */
#define PNG_MAX_PIXELS (16u << 20) /* a label PNG to read: 16 Mpixel at most */

int it_label_qr_encode(const char *text, struct it_label_qr *qr, struct it_error *err)
{
	memset(qr, 0, sizeof *qr);
	size_t n = strlen(text);
	/* M (15 % recovery) for a URL; a whole JWS falls back to L to fit */
	QRcode *c = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!c)
		c = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_L);
	if (!c)
		return it_error_set(err, IT_ERR_LIMIT, NULL, IT_NO_OFFSET,
		                    "%zu bytes do not fit in a QR code (at most 2953)", n);
	qr->size = c->width;
	qr->modules = malloc((size_t)c->width * (size_t)c->width);
	if (!qr->modules) {
		QRcode_free(c);
		return it_error_nomem(err);
	}
	for (size_t i = 0; i < (size_t)c->width * (size_t)c->width; i++)
		qr->modules[i] = c->data[i] & 1;
	QRcode_free(c);
	return 0;
}

void it_label_qr_free(struct it_label_qr *qr)
{
	free(qr->modules);
	memset(qr, 0, sizeof *qr);
}

int it_label_qr_png(const struct it_label_qr *qr, int scale, struct it_buf *out,
                    struct it_error *err)
{
	size_t side = (size_t)(qr->size + 2 * QUIET) * (size_t)scale;
	uint8_t *px = malloc(side * side);
	if (!px)
		return it_error_nomem(err);
	for (size_t y = 0; y < side; y++)
		for (size_t x = 0; x < side; x++) {
			long mx = (long)(x / (size_t)scale) - QUIET,
			     my = (long)(y / (size_t)scale) - QUIET;
			int dark = mx >= 0 && my >= 0 && mx < qr->size && my < qr->size &&
			           qr->modules[my * qr->size + mx];
			px[y * side + x] = dark ? 0 : 255;
		}
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)side;
	img.height = (png_uint_32)side;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t size = 0;
	int rc = -1;
	if (png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL) && size > 0 &&
	    it_buf_reserve(out, size) == 0 &&
	    png_image_write_to_memory(&img, out->data + out->len, &size, 0, px, 0, NULL)) {
		out->len += size;
		out->data[out->len] = 0;
		rc = 0;
	} else {
		rc = it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "libpng: %s",
		                  img.message[0] ? img.message : "cannot write the PNG");
	}
	png_image_free(&img);
	free(px);
	return rc;
}

static int put_xml(struct it_buf *b, const char *s)
{
	int rc = 0;
	for (; s && *s && rc == 0; s++) {
		switch (*s) {
		case '&':
			rc = it_buf_puts(b, "&amp;");
			break;
		case '<':
			rc = it_buf_puts(b, "&lt;");
			break;
		case '>':
			rc = it_buf_puts(b, "&gt;");
			break;
		case '"':
			rc = it_buf_puts(b, "&quot;");
			break;
		case '\'':
			rc = it_buf_puts(b, "&apos;");
			break;
		default:
			rc = it_buf_putc(b, *s);
		}
	}
	return rc;
}

/* One <text> element: attributes, then a + b + c escaped and cut to `max` characters (with an
 * ellipsis) so that a long product name cannot run under the QR code. */
static int text_line(struct it_buf *out, int x, int y, const char *style, const char *a,
                     const char *b, const char *c)
{
	/* about 460 user units of text at 0.6 em a character */
	const char *fs = strstr(style, "font-size=\"");
	int size = fs ? atoi(fs + 11) : 13;
	size_t max = (size_t)(460 / ((size > 0 ? size : 13) * 0.6));
	struct it_buf t = IT_BUF_INIT;
	int rc = it_buf_puts(&t, a) | it_buf_puts(&t, b) | it_buf_puts(&t, c);
	size_t chars = 0, i = 0;
	for (; i < t.len; i++)
		if ((t.data[i] & 0xc0) != 0x80 && ++chars > max)
			break;
	if (i < t.len) {
		it_buf_truncate(&t, i);
		rc |= it_buf_puts(&t, "\xe2\x80\xa6");
	}
	rc |= it_buf_printf(out, "  <text x=\"%d\" y=\"%d\" %s>", x, y, style);
	rc |= put_xml(out, it_buf_str(&t));
	rc |= it_buf_puts(out, "</text>\n");
	it_buf_free(&t);
	return rc;
}

static const char *month_name(int m)
{
	static const char *const names[] = {"January",   "February", "March",    "April",
	                                    "May",       "June",     "July",     "August",
	                                    "September", "October",  "November", "December"};
	return m >= 1 && m <= 12 ? names[m - 1] : "?";
}

static const char *str(const json_t *l, const char *k)
{
	const char *s = json_string_value(json_object_get(l, k));
	return s ? s : "";
}

int it_label_svg(const json_t *l, const struct it_label_qr *qr, struct it_buf *out,
                 struct it_error *err)
{
	/* 640 x 320 user units: text on the left, the QR code on the right */
	const int W = 760, H = 320, qbox = 256;
	int rc = it_buf_printf(out,
	                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%dmm\" "
	                       "height=\"%dmm\" viewBox=\"0 0 %d %d\" "
	                       "font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
	                       "  <title>Security label: ",
	                       W / 8, H / 8, W, H);
	rc |= put_xml(out, str(l, "product"));
	rc |= it_buf_printf(out,
	                    "</title>\n"
	                    "  <rect x=\"1\" y=\"1\" width=\"%d\" height=\"%d\" rx=\"12\" "
	                    "fill=\"#ffffff\" stroke=\"#1a3d6d\" stroke-width=\"2\"/>\n"
	                    "  <rect x=\"1\" y=\"1\" width=\"%d\" height=\"44\" rx=\"12\" "
	                    "fill=\"#1a3d6d\"/>\n",
	                    W - 2, H - 2, W - 2);
	rc |= text_line(out, 20, 31, "font-size=\"20\" font-weight=\"bold\" fill=\"#ffffff\"",
	                "Security label", "", "");
	rc |= text_line(out, 20, 76, "font-size=\"20\" font-weight=\"bold\"", str(l, "product"), "",
	                "");
	rc |= text_line(out, 20, 98, "font-size=\"13\"", str(l, "vendor"), " \xc2\xb7 Model ",
	                str(l, "model"));
	rc |= text_line(out, 20, 116, "font-size=\"13\"", "Firmware ", str(l, "firmware_version"),
	                "");
	/* "Security updates until 31 December 2029" */
	const char *su = str(l, "support_until");
	char date[40] = "";
	if (strlen(su) == 10)
		snprintf(date, sizeof date, "%d %s %.4s", atoi(su + 8), month_name(atoi(su + 5)),
		         su);
	rc |= text_line(out, 20, 150, "font-size=\"18\" font-weight=\"bold\" fill=\"#1a3d6d\"",
	                "Security updates until ", date, "");
	rc |= text_line(out, 20, 178, "font-size=\"14\"", "Assurance tier: ", str(l, "tier"), "");
	rc |= text_line(out, 20, 196, "font-size=\"12\" fill=\"#555555\"",
	                "EU CRA class: ", str(l, "cra_class"), "");
	json_t *stds = json_object_get(l, "standards");
	int y = 222;
	if (json_array_size(stds) == 0)
		rc |= text_line(out, 20, y, "font-size=\"13\"", "No standard met", "", "");
	size_t shown = json_integer_value(json_object_get(l, "mandatory_failed")) > 0 ? 2 : 3;
	for (size_t i = 0; i < json_array_size(stds) && i < shown; i++, y += 18) {
		json_t *s = json_array_get(stds, i);
		const char *t = json_string_value(json_object_get(s, "title"));
		char line[300];
		snprintf(line, sizeof line, "%s (%s)",
		         t ? t : json_string_value(json_object_get(s, "id")),
		         json_string_value(json_object_get(s, "level")));
		rc |= text_line(out, 20, y, "font-size=\"13\"", "\xe2\x9c\x93 Meets ", line, "");
	}
	json_t *mf = json_object_get(l, "mandatory_failed");
	if (json_integer_value(mf) > 0) {
		char n[64];
		snprintf(n, sizeof n, "%lld mandatory provision%s failed",
		         (long long)json_integer_value(mf), json_integer_value(mf) == 1 ? "" : "s");
		rc |= text_line(out, 20, y,
		                "font-size=\"13\" font-weight=\"bold\" fill=\"#b00020\"",
		                "\xe2\x9a\xa0 ", n, "");
		y += 18;
	}
	rc |= text_line(out, 20, H - 36, "font-size=\"11\" fill=\"#555555\"",
	                "Report vulnerabilities: ", str(l, "disclosure_contact"), "");
	rc |= text_line(out, 20, H - 18, "font-size=\"11\" fill=\"#555555\"", "Issued ",
	                str(l, "issued_at"), " \xc2\xb7 scan the code to verify");
	/* the QR: one rect per horizontal run of dark modules, quiet zone included in the box */
	int side = qr->size + 2 * QUIET;
	rc |= it_buf_printf(out,
	                    "  <svg x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	                    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
	                    "    <rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
	                    "    <g fill=\"#000000\">\n",
	                    W - qbox - 16, 44 + (H - 44 - qbox) / 2, qbox, qbox, side, side, side,
	                    side);
	for (int my = 0; my < qr->size; my++)
		for (int mx = 0; mx < qr->size;) {
			if (!qr->modules[my * qr->size + mx]) {
				mx++;
				continue;
			}
			int run = 1;
			while (mx + run < qr->size && qr->modules[my * qr->size + mx + run])
				run++;
			rc |= it_buf_printf(out,
			                    "      <rect x=\"%d\" y=\"%d\" width=\"%d\" "
			                    "height=\"1\"/>\n",
			                    mx + QUIET, my + QUIET, run);
			mx += run;
		}
	rc |= it_buf_puts(out, "    </g>\n  </svg>\n</svg>\n");
	return rc ? it_error_nomem(err) : 0;
}

int it_label_png_qr_text(const uint8_t *png, size_t n, const char *where, char **text,
                         struct it_error *err)
{
	*text = NULL;
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, png, n))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "not a PNG image: %s",
		                    img.message);
	if ((uint64_t)img.width * img.height > PNG_MAX_PIXELS || img.width == 0 ||
	    img.height == 0) {
		png_image_free(&img);
		return it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET,
		                    "PNG of %ux%u pixels: more than %u pixels", img.width,
		                    img.height, PNG_MAX_PIXELS);
	}
	img.format = PNG_FORMAT_GRAY;
	size_t size = (size_t)img.width * img.height;
	uint8_t *px = malloc(size);
	if (!px) {
		png_image_free(&img);
		return it_error_nomem(err);
	}
	if (!png_image_finish_read(&img, NULL, px, 0, NULL)) {
		int rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "damaged PNG: %s",
		                      img.message);
		png_image_free(&img);
		free(px);
		return rc;
	}
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *zi = zbar_image_create();
	int rc = 0;
	if (!sc || !zi) {
		rc = it_error_nomem(err);
		goto done;
	}
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, img.width, img.height);
	zbar_image_set_data(zi, px, size, NULL);
	if (zbar_scan_image(sc, zi) <= 0) {
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "no QR code found");
		goto done;
	}
	const zbar_symbol_t *sym = zbar_image_first_symbol(zi);
	const char *data = sym ? zbar_symbol_get_data(sym) : NULL;
	unsigned len = sym ? zbar_symbol_get_data_length(sym) : 0;
	if (!data)
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "no QR code found");
	else if (memchr(data, 0, len))
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "the QR code holds binary data");
	else if (!(*text = strndup(data, len)))
		rc = it_error_nomem(err);
done:
	if (zi)
		zbar_image_destroy(zi);
	if (sc)
		zbar_image_scanner_destroy(sc);
	png_image_free(&img);
	free(px);
	return rc;
}
