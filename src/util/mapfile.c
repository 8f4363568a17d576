/*
 * Map a whole input file read-only, with the checks every caller needs:
 * regular file, not empty, and a message that names the path.
 */
#include "iotrust/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int it_mapfile_open(struct it_mapfile *m, const char *path, struct it_error *err)
{
	m->data = NULL;
	m->len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return it_error_set(err, IT_ERR_INPUT, path, 0, "empty file");
	}
	size_t len = (size_t)st.st_size;
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot map: %s",
		                    strerror(errno));
	madvise(map, len, MADV_SEQUENTIAL);
	m->data = map;
	m->len = len;
	return 0;
}

void it_mapfile_close(struct it_mapfile *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}
