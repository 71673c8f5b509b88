/*
 * scheduler.c - the thread that sends scheduled mail when it falls due
 * (see scheduler.h).  Room: daemon.
 */
#include "config.h"
#include "daemon/scheduler.h"
#include "daemon/snapshot.h"
#include "engine/scheduled_mail.h"
#include "sender/sender.h"
#include "store/schedule.h"
#include "util/clock.h"
#include "util/log.h"

#include <string.h>
#include <unistd.h>

/* The store is looked at this often at least: ticketctl resumes a
 * ticket without telling the daemon. */
#define SCHEDULER_MAX_SLEEP_SECONDS 60
/* After the store failed, the next try. */
#define SCHEDULER_RETRY_SECONDS 10

struct scheduler {
	GThread *thread;
	GMutex lock;
	GCond wake;
	int64_t next;		/* the daemon-clock time it sleeps until; 0: none */
	bool kicked;
	bool stopping;
	struct snapshot *(*acquire)(void);
	struct store_pool *pool;
	struct sender *sender;
	const struct clock *clock;
	char *owner;		/* this daemon's name on its claims */
	bool failing;		/* the store fails: said once */
};

static void log_outcome(const struct scheduled_outcome *o)
{
	int priority;
	char *line = scheduled_outcome_line(o, &priority);

	log_write(priority, NULL, "%s", line);
	g_free(line);
}

/* Sends what is due; returns when the next row may go (0: nothing
 * waits), or -1 when the store failed. */
static int64_t run(struct scheduler *sch)
{
	struct snapshot *snap = sch->acquire();
	const struct settings *s = snap->settings;
	char *error = NULL;
	struct store *st = store_pool_get(sch->pool, s->database, s->busy_timeout_ms, &error);
	int64_t next = 0;
	int n = SCHEDULED_BATCH;

	if (st == NULL) {
		if (!sch->failing)
			log_err("scheduled mail: %s; it waits until the store works again", error);
		sch->failing = true;
		g_free(error);
		snapshot_unref(snap);
		return -1;
	}
	while (n >= SCHEDULED_BATCH && next >= 0) {
		GPtrArray *outcomes = g_ptr_array_new_with_free_func(scheduled_outcome_free);
		int queued = 0;

		n = scheduled_run_due(s, snap->assets, st, clock_now(sch->clock), sch->owner, outcomes, &queued);
		for (guint i = 0; i < outcomes->len; i++)
			log_outcome(g_ptr_array_index(outcomes, i));
		g_ptr_array_free(outcomes, TRUE);
		if (queued > 0)
			sender_kick(sch->sender);
		if (n < 0)
			next = -1;
	}
	if (next == 0 && store_schedule_next(st, &next) != 0)
		next = -1;
	if (next < 0 && !sch->failing)
		log_err("scheduled mail: %s; it waits until the store works again", store_error(st));
	else if (next >= 0 && sch->failing)
		log_info("scheduled mail: the store works again");
	sch->failing = next < 0;
	store_pool_put(sch->pool, st, next < 0);
	snapshot_unref(snap);
	return next;
}

/* Sleeps until `next` on the daemon's clock (at most the longest
 * sleep), a sooner wake or a kick; false when stopping. */
static bool sleep_until(struct scheduler *sch, int64_t next)
{
	int64_t now = clock_now(sch->clock), limit = now + SCHEDULER_MAX_SLEEP_SECONDS;
	bool go_on;

	g_mutex_lock(&sch->lock);
	sch->next = next > 0 && next < limit ? next : limit;
	while (!sch->kicked && !sch->stopping) {
		int64_t wait = sch->next - clock_now(sch->clock);
		if (wait <= 0)
			break;
		/* Waits on the monotonic clock; sch->next may move closer. */
		g_cond_wait_until(&sch->wake, &sch->lock,
				  g_get_monotonic_time() + MIN(wait, SCHEDULER_MAX_SLEEP_SECONDS) * G_TIME_SPAN_SECOND);
	}
	sch->kicked = false;
	go_on = !sch->stopping;
	g_mutex_unlock(&sch->lock);
	return go_on;
}

static gpointer scheduler_thread(gpointer data)
{
	struct scheduler *sch = data;
	int64_t next;

	do {
		next = run(sch);
		if (next < 0)
			next = clock_now(sch->clock) + SCHEDULER_RETRY_SECONDS;
	} while (sleep_until(sch, next));
	return NULL;
}

struct scheduler *scheduler_start(struct snapshot *(*acquire)(void), struct store_pool *pool, struct sender *sender,
				  const struct clock *clock)
{
	struct scheduler *sch = g_new0(struct scheduler, 1);
	struct snapshot *snap = acquire();

	g_mutex_init(&sch->lock);
	g_cond_init(&sch->wake);
	sch->acquire = acquire;
	sch->pool = pool;
	sch->sender = sender;
	sch->clock = clock;
	/* Unique among the daemons that may share the store. */
	sch->owner = g_strdup_printf("%s:%d:%lld", snap->settings->hostname, (int)getpid(),
				     (long long)(g_get_real_time() / 1000));
	snapshot_unref(snap);
	sch->thread = g_thread_new("scheduler", scheduler_thread, sch);
	return sch;
}

void scheduler_wake_at(struct scheduler *sch, int64_t when)
{
	if (sch == NULL || when <= 0)
		return;
	g_mutex_lock(&sch->lock);
	if (when < sch->next) {
		sch->next = when;
		g_cond_signal(&sch->wake);
	}
	g_mutex_unlock(&sch->lock);
}

void scheduler_kick(struct scheduler *sch)
{
	if (sch == NULL)
		return;
	g_mutex_lock(&sch->lock);
	sch->kicked = true;
	g_cond_signal(&sch->wake);
	g_mutex_unlock(&sch->lock);
}

void scheduler_stop(struct scheduler *sch)
{
	if (sch == NULL || sch->thread == NULL)
		return;
	g_mutex_lock(&sch->lock);
	sch->stopping = true;
	g_cond_signal(&sch->wake);
	g_mutex_unlock(&sch->lock);
	g_thread_join(sch->thread);
	sch->thread = NULL;
}

void scheduler_free(struct scheduler *sch)
{
	if (sch == NULL)
		return;
	scheduler_stop(sch);
	g_mutex_clear(&sch->lock);
	g_cond_clear(&sch->wake);
	g_free(sch->owner);
	g_free(sch);
}
