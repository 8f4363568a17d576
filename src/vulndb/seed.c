/*
 * Opening the vulnerability store for a scan: the given or default store, seeded on
 * first use from the snapshot built into iotrust (the .json.gz files of data/vulndb/, made by
 * scripts/build-vulndb-snapshot.sh), so a fresh machine knows common embedded
 * components' vulnerabilities with no network.
 */
#include <string.h>

#include "iotrust/data.h"
#include "iotrust/vulndb.h"

#define SNAPSHOT_DIR "vulndb/"

struct seed {
	struct it_store *s;
	const struct it_data *d;
	struct it_import_stats st;
	struct it_buf b;
	struct it_error *err;
};

static int seed_one(void *user, const char *name)
{
	struct seed *x = user;
	if (it_data_read(x->d, name, &x->b, x->err) < 0)
		return -1;
	return it_import_memory(x->s, name, x->b.data, x->b.len, NULL, &x->st, x->err) < 0 ? -1 : 0;
}

int it_vulndb_open(struct it_store **out, const char *location, const struct it_data *data,
                   struct it_error *err)
{
	int created = 0;
	if (it_store_open(out, location, &created, err) < 0)
		return -1;
	struct it_buf have = IT_BUF_INIT;
	int rc = it_store_meta_get(*out, "snapshot", &have, err);
	if (rc >= 0 && have.len == 0 && data) {
		struct seed x = {.s = *out, .d = data, .b = IT_BUF_INIT, .err = err};
		rc = it_data_each(data, SNAPSHOT_DIR, seed_one, &x, err);
		if (rc == 0)
			rc = it_store_meta_put(*out, "snapshot", IOTRUST_VERSION, err);
		it_buf_free(&x.b);
	}
	it_buf_free(&have);
	if (rc < 0) {
		it_store_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
