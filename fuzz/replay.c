/*
 * Replays a fuzz corpus without libFuzzer: runs LLVMFuzzerTestOneInput on every
 * file in the directories given. Linked with fuzz_format.c into the ordinary
 * test build, so every past crash stays a regression test under ASan/UBSan.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct it_buf b = IT_BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		it_buf_append(&b, tmp, n);
	fclose(f);
	/* a private copy of exactly the file's size, so ASan sees overreads */
	uint8_t *copy = malloc(b.len ? b.len : 1);
	if (b.len)
		memcpy(copy, b.data, b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	it_buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			return 1;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			struct it_buf p = IT_BUF_INIT;
			it_buf_printf(&p, "%s/%s", argv[i], de->d_name);
			if (replay_file(it_buf_str(&p)) == 0)
				count++;
			it_buf_free(&p);
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	return count > 0 ? 0 : 1;
}
