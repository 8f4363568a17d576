/*
 * Small encodings of the label formats: base64url without padding (RFC 7515 section 2, by
 * libsodium), with a strict decoder (a label has exactly one encoding), and UTC times as RFC 3339
 * "Z" stamps or plain dates, converted without the C library's time zone state.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "iotrust/label.h"

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

int it_b64url_encode(const uint8_t *p, size_t n, struct it_buf *out)
{
	size_t need = sodium_base64_ENCODED_LEN(n, B64URL); /* with the NUL */
	if (it_buf_reserve(out, need) < 0)
		return -1;
	char *at = (char *)out->data + out->len;
	sodium_bin2base64(at, need, p, n, B64URL);
	out->len += strlen(at);
	return 0;
}

/* libsodium's decoder is strict as RFC 7515 wants: the URL alphabet only, no padding or
 * white space (nothing to ignore, no end pointer: all of s must decode), unused bits zero. */
int it_b64url_decode(const char *s, size_t n, struct it_buf *out)
{
	size_t max = n / 4 * 3 + 3, got = 0;
	if (it_buf_reserve(out, max) < 0)
		return -1;
	if (sodium_base642bin(out->data + out->len, max, s, n, NULL, &got, NULL, B64URL) != 0)
		return -1;
	out->len += got;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_date(const char *s, int64_t *days)
{
	unsigned y, m, d;
	if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &m) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return -1;
	unsigned leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 ? leap : 0))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

int it_label_time_parse(const char *s, int64_t *out)
{
	if (!s)
		return -1;
	size_t n = strlen(s);
	int64_t days;
	if ((n != 10 && n != 20) || parse_date(s, &days) < 0)
		return -1;
	if (n == 10) {
		*out = days * 86400;
		return 0;
	}
	unsigned h, mi, sec;
	if (s[10] != 'T' || digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' || digits(s + 17, 2, &sec) < 0 ||
	    s[19] != 'Z' || h > 23 || mi > 59 || sec > 59)
		return -1;
	*out = days * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int it_label_date_end(const char *s, int64_t *out)
{
	int64_t days;
	if (!s || strlen(s) != 10 || parse_date(s, &days) < 0)
		return -1;
	*out = days * 86400 + 86399;
	return 0;
}

void it_label_time_format(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	/* civil_from_days (Hinnant) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999) {
		snprintf(out, 21, "%s", y < 0 ? "1970-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
		return;
	}
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, m, d,
	         (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
	memcpy(out, tmp, 20);
	out[20] = 0;
}
