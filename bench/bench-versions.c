/*
 * Nanoseconds per it_vers_cmp on real versions (CPU time of the process, and wall time):
 * the generic scheme on the NVD list, deb on the Debian list (tests/data/vulndb/versions/),
 * pairs i, (i * 7919 + 1) mod n, 20 million each. Build and run from the repository root:
 *   cc -O2 -std=c17 -D_GNU_SOURCE -I include -o /tmp/bench-versions \
 *      bench/bench-versions.c src/vulndb/version.c && /tmp/bench-versions
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iotrust/vulndb.h"

#define MAX_LINES 10000

static size_t load(const char *path, char **v)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0;
	if (!f) {
		perror(path);
		exit(1);
	}
	while (n < MAX_LINES && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			v[n++] = strdup(line);
	}
	fclose(f);
	return n;
}

static double now(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void bench(const char *label, enum it_vscheme s, char **v, size_t n)
{
	const size_t total = 20000000;
	long sum = 0;
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t k = 0; k < total; k++) {
		size_t i = k % n;
		sum += it_vers_cmp(s, v[i], v[(i * 7919 + 1) % n]);
	}
	double wall = (now(CLOCK_MONOTONIC) - w0) / (double)total;
	double cpu = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)total;
	printf("%-8s %6.1f ns per comparison (CPU time; wall %.1f ns) over %zu versions, "
	       "%zu comparisons, checksum %ld\n",
	       label, cpu, wall, n, total, sum);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/data/vulndb/versions";
	char path[1024], **nvd = calloc(MAX_LINES, sizeof(char *)),
	                 **deb = calloc(MAX_LINES, sizeof(char *));
	snprintf(path, sizeof path, "%s/nvd-versions.txt", dir);
	size_t n_nvd = load(path, nvd);
	snprintf(path, sizeof path, "%s/deb-versions.txt", dir);
	size_t n_deb = load(path, deb);
	bench("generic", IT_VS_GENERIC, nvd, n_nvd);
	bench("deb", IT_VS_DEB, deb, n_deb);
	bench("apk", IT_VS_APK, nvd, n_nvd);
	bench("semver", IT_VS_SEMVER, nvd, n_nvd);
	return 0;
}
