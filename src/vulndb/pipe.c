/*
 * A writer thread for imports (pipe.h): the reading thread hands each normalised record
 * to it_pipe's sink, which copies it into one block and queues it; the writer thread
 * gives the records, in order, to the target sink (the store). Parsing the next records
 * and writing the previous ones then run on two cores. The first error of the writer
 * stops the reader at its next record and is returned to it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/pipe.h"

#define QUEUE 256 /* records in flight */
#define BATCH 64  /* records the writer takes at a time */

/* A queued record or KEV entry (one of the two), each in one allocation. */
struct item {
	struct it_store_vuln *v;
	struct it_store_kev *k;
};

struct it_pipe {
	const struct it_import_sink *target;
	struct it_import_sink sink; /* what the reader calls */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct item q[QUEUE];
	size_t head, count;
	int closed, failed, joined, reported;
	struct it_error werr; /* the writer's error (read after the join) */
};

/* --- one record in one allocation ------------------------------------------------- */

#define VULN_STRINGS(v)                                                                            \
	{                                                                                          \
		&(v)->id, &(v)->source, &(v)->modified, &(v)->published, &(v)->severity,           \
		        &(v)->json, &(v)->brief                                                    \
	}
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy *s to the string area at *at and point *s at the copy. */
static void move_str(const char **s, char **at)
{
	if (!*s)
		return;
	size_t n = strlen(*s) + 1;
	memcpy(*at, *s, n);
	*s = *at;
	*at += n;
}

static struct it_store_vuln *vuln_copy(const struct it_store_vuln *v)
{
	size_t bytes = sizeof(*v) + v->n_aliases * sizeof(char *) + v->n_rows * sizeof(*v->rows);
	struct it_store_vuln src = *v;
	const char **vs[] = VULN_STRINGS(&src);
	for (size_t i = 0; i < N_OF(vs); i++)
		bytes += str_size(*vs[i]);
	for (size_t i = 0; i < v->n_aliases; i++)
		bytes += str_size(v->aliases[i]);
	for (size_t k = 0; k < v->n_rows; k++) {
		struct it_store_row r = v->rows[k];
		const char **rs[] = IT_STORE_ROW_STRINGS(&r);
		for (size_t i = 0; i < N_OF(rs); i++)
			bytes += str_size(*rs[i]);
	}
	struct it_store_vuln *c = malloc(bytes);
	if (!c)
		return NULL;
	*c = *v;
	const char **aliases = (const char **)(c + 1);
	struct it_store_row *rows = (struct it_store_row *)(aliases + v->n_aliases);
	char *at = (char *)(rows + v->n_rows);
	const char **cs[] = VULN_STRINGS(c);
	for (size_t i = 0; i < N_OF(cs); i++)
		move_str(cs[i], &at);
	for (size_t i = 0; i < v->n_aliases; i++) {
		aliases[i] = v->aliases[i];
		move_str(&aliases[i], &at);
	}
	for (size_t k = 0; k < v->n_rows; k++) {
		rows[k] = v->rows[k];
		const char **rs[] = IT_STORE_ROW_STRINGS(&rows[k]);
		for (size_t i = 0; i < N_OF(rs); i++)
			move_str(rs[i], &at);
	}
	c->aliases = aliases;
	c->rows = rows;
	return c;
}

static struct it_store_kev *kev_copy(const struct it_store_kev *k)
{
	struct it_store_kev src = *k;
	const char **ks[] = {&src.cve,    &src.vendor,     &src.product,
	                     &src.name,   &src.date_added, &src.due_date,
	                     &src.action, &src.ransomware, &src.notes};
	size_t bytes = sizeof(*k);
	for (size_t i = 0; i < N_OF(ks); i++)
		bytes += str_size(*ks[i]);
	struct it_store_kev *c = malloc(bytes);
	if (!c)
		return NULL;
	*c = *k;
	char *at = (char *)(c + 1);
	const char **cs[] = {&c->cve,      &c->vendor, &c->product,    &c->name, &c->date_added,
	                     &c->due_date, &c->action, &c->ransomware, &c->notes};
	for (size_t i = 0; i < N_OF(cs); i++)
		move_str(cs[i], &at);
	return c;
}

/* --- the queue ---------------------------------------------------------------------- */

/* The writer takes the queue in bulk, BATCH records or more at a time (or what is left at
 * the end), so the threads wake each other once per batch, not once per record. */
static void *writer(void *arg)
{
	struct it_pipe *p = arg;
	struct item take[QUEUE];
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->count < BATCH && !p->closed)
			pthread_cond_wait(&p->not_empty, &p->lock);
		size_t n = p->count;
		for (size_t i = 0; i < n; i++)
			take[i] = p->q[(p->head + i) % QUEUE];
		p->head = (p->head + n) % QUEUE;
		p->count = 0;
		int failed = p->failed, last = p->closed;
		pthread_cond_signal(&p->not_full);
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < n; i++) {
			const struct it_import_sink *t = p->target;
			if (!failed && (take[i].v ? t->vuln(t->user, take[i].v, &p->werr)
			                          : t->kev(t->user, take[i].k, &p->werr)) < 0) {
				failed = 1;
				pthread_mutex_lock(&p->lock);
				p->failed = 1;
				pthread_cond_signal(&p->not_full);
				pthread_mutex_unlock(&p->lock);
			}
			free(take[i].v);
			free(take[i].k);
		}
		if (last && n == 0)
			return NULL;
	}
}

/* Close the queue, wait for the writer; 0, or -1 with the writer's error moved to err. */
static int join(struct it_pipe *p, struct it_error *err)
{
	if (!p->joined) {
		pthread_mutex_lock(&p->lock);
		p->closed = 1;
		pthread_cond_broadcast(&p->not_empty);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
		p->joined = 1;
	}
	if (!p->failed)
		return 0;
	if (!p->reported) { /* once: the reader and it_pipe_finish may both ask */
		p->reported = 1;
		if (p->werr.code)
			it_error_move(err, &p->werr);
		else
			it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
			             "the store writer stopped");
	}
	return -1;
}

/* Queue one item (owned by the queue from here on). */
static int enqueue(struct it_pipe *p, struct item it, struct it_error *err)
{
	if (!it.v && !it.k)
		return it_error_nomem(err);
	pthread_mutex_lock(&p->lock);
	while (p->count == QUEUE && !p->failed)
		pthread_cond_wait(&p->not_full, &p->lock);
	int failed = p->failed;
	if (!failed) {
		p->q[(p->head + p->count) % QUEUE] = it;
		if (++p->count == BATCH)
			pthread_cond_signal(&p->not_empty);
	}
	pthread_mutex_unlock(&p->lock);
	if (failed) {
		free(it.v);
		free(it.k);
		return join(p, err);
	}
	return 0;
}

static int pipe_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	return enqueue(user, (struct item){vuln_copy(v), NULL}, err);
}

static int pipe_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	return enqueue(user, (struct item){NULL, kev_copy(k)}, err);
}

static void pipe_malformed(void *user, const char *where, const char *msg)
{
	struct it_pipe *p = user;
	if (p->target->malformed)
		p->target->malformed(p->target->user, where, msg);
}

static void pipe_skipped(void *user, const char *id, const char *why)
{
	struct it_pipe *p = user;
	if (p->target->skipped)
		p->target->skipped(p->target->user, id, why);
}

struct it_pipe *it_pipe_start(const struct it_import_sink *target, struct it_error *err)
{
	struct it_pipe *p = calloc(1, sizeof(*p));
	if (!p) {
		it_error_nomem(err);
		return NULL;
	}
	p->target = target;
	p->sink = (struct it_import_sink){pipe_vuln, pipe_kev, pipe_malformed, pipe_skipped, p};
	p->werr = (struct it_error)IT_ERROR_INIT;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->not_empty, NULL);
	pthread_cond_init(&p->not_full, NULL);
	if (pthread_create(&p->thread, NULL, writer, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->not_empty);
		pthread_cond_destroy(&p->not_full);
		free(p);
		it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "cannot start a thread");
		return NULL;
	}
	return p;
}

const struct it_import_sink *it_pipe_sink(struct it_pipe *p)
{
	return &p->sink;
}

int it_pipe_finish(struct it_pipe *p, struct it_error *err)
{
	if (!p)
		return 0;
	int rc = join(p, err);
	it_error_clear(&p->werr);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->not_empty);
	pthread_cond_destroy(&p->not_full);
	free(p);
	return rc;
}
