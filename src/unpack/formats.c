/*
 * The registry of format readers: the one list of what iotrust can unpack.
 * Order matters only for ties in probe confidence (earlier wins). To add a
 * format, write src/unpack/fmt_<name>.c and add its table here.
 */
#include "format.h"

extern const struct it_format it_fmt_gzip;
extern const struct it_format it_fmt_uimage;
extern const struct it_format it_fmt_fit;
extern const struct it_format it_fmt_trx;
extern const struct it_format it_fmt_ext;
extern const struct it_format it_fmt_xz;
extern const struct it_format it_fmt_lzma;
extern const struct it_format it_fmt_zstd;
extern const struct it_format it_fmt_bzip2;
extern const struct it_format it_fmt_lzop;
extern const struct it_format it_fmt_lz4;
extern const struct it_format it_fmt_lz4_legacy;
extern const struct it_format it_fmt_squashfs;
extern const struct it_format it_fmt_cramfs;
extern const struct it_format it_fmt_tar;
extern const struct it_format it_fmt_cpio;
extern const struct it_format it_fmt_zip;
extern const struct it_format it_fmt_ubi;
extern const struct it_format it_fmt_ubifs;
extern const struct it_format it_fmt_jffs2;

/* One reader per line. */
/* clang-format off */
const struct it_format *const it_formats[] = {
	&it_fmt_gzip,
	&it_fmt_uimage,
	&it_fmt_fit,
	&it_fmt_trx,
	&it_fmt_ext,
	&it_fmt_xz,
	&it_fmt_lzma,
	&it_fmt_zstd,
	&it_fmt_bzip2,
	&it_fmt_lzop,
	&it_fmt_lz4,
	&it_fmt_lz4_legacy,
	&it_fmt_squashfs,
	&it_fmt_cramfs,
	&it_fmt_tar,
	&it_fmt_cpio,
	&it_fmt_zip,
	&it_fmt_ubi,
	&it_fmt_ubifs,
	&it_fmt_jffs2,
	NULL,
};
/* clang-format on */
