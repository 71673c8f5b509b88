/*
 * fuzz_config.c - libFuzzer harness: the configuration parser
 * (settings.c, with the calendars and SLA durations it parses), on
 * fuzzed file contents.
 *
 * The input is written to a file in the scratch directory and loaded as
 * `ticket-milter -n` and a reload would (without reading the secret
 * file, which the input could point anywhere).  A configuration that
 * loads is then used the way the engine uses it: each queue's addresses
 * are looked up again, and each queue's SLA due time is computed over
 * its calendars.
 *
 * Checked promises (settings.h): a rejected file gives at least one
 * "FILE:LINE: message"; a loaded one has a queue, every queue has a
 * reply address, a tag, a default locale among its locales and an SLA,
 * every address finds its own queue, and a due time is never before the
 * start.
 */
#include "config.h"
#include "fuzz.h"
#include "calendar/calendar.h"
#include "config/settings.h"

#include <glib.h>
#include <string.h>

static char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_libraries();
	path = g_build_filename(fuzz_scratch_dir(), "ticket-milter.conf", NULL);
	return 0;
}

static void check_queue(const struct settings *s, const struct queue *q)
{
	/* Monday 2026-03-02 10:00 UTC. */
	const int64_t start = 1772445600;
	const struct sla_policy *policies[2] = { q->sla, q->vip_sla };

	if (q->addresses == NULL || q->addresses[0] == NULL || q->tag == NULL || q->sla == NULL)
		fuzz_fail("[queue %s] loaded without an address, a tag or an SLA", q->id);
	if (q->default_locale == NULL || !g_strv_contains((const char *const *)q->locales, q->default_locale))
		fuzz_fail("[queue %s] default locale is not one of its locales", q->id);
	for (char **a = q->addresses; *a; a++) {
		char *detail = NULL;
		char *with_detail = g_strdup_printf("%.*s+x%s", (int)(strchr(*a, '@') - *a), *a, strchr(*a, '@'));
		if (settings_queue_for(s, *a, NULL) != q || settings_queue_for(s, with_detail, &detail) != q ||
		    g_strcmp0(detail, "x") != 0)
			fuzz_fail("address %s does not find [queue %s]", *a, q->id);
		g_free(detail);
		g_free(with_detail);
	}
	for (int k = 0; k < 2; k++) {
		if (policies[k] == NULL)
			continue;
		for (int p = 0; p < PRIORITY_COUNT; p++) {
			const struct sla_target *t = &policies[k]->first_response[p];
			int64_t due = sla_due(q->calendars, q->n_calendars, start, t->minutes, t->calendar_time);
			if (due != -1 && due < start)
				fuzz_fail("[queue %s] due %lld before the start %lld", q->id, (long long)due,
					  (long long)start);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s;

	fuzz_write_file(path, data, size);
	s = settings_load(path, 0, errors);
	if (s == NULL) {
		if (errors->len == 0)
			fuzz_fail("configuration rejected without a message");
		for (guint i = 0; i < errors->len; i++)
			if (!g_str_has_prefix(g_ptr_array_index(errors, i), path))
				fuzz_fail("message without FILE:LINE: %s", (char *)g_ptr_array_index(errors, i));
	} else {
		if (errors->len)
			fuzz_fail("configuration loaded with errors: %s", (char *)g_ptr_array_index(errors, 0));
		if (s->n_queues == 0)
			fuzz_fail("configuration loaded without a queue");
		for (size_t i = 0; i < s->n_queues; i++)
			check_queue(s, &s->queues[i]);
		(void)settings_line(s, "milter", "socket");
		settings_unref(s);
	}
	g_ptr_array_free(errors, TRUE);
	return 0;
}
