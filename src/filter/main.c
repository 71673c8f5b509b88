/*
 * main.c - ticket-filter: the content filter daemon for MTAs without a
 * milter interface (Exim, OpenSMTPD).  Room: filter.
 *
 *   ticket-filter -c FILE [-f] [-n] [-V]
 *
 * The same configuration, store, engine, batcher and outbox sender as
 * ticket-milter, behind an SMTP or LMTP listener ([filter] listen) that
 * re-injects every message into the MTA ([filter] reinject).  Start-up
 * follows the milter's: the socket is opened as root, then the process
 * detaches, writes its pid file and drops privileges, and only then do
 * threads start.  SIGUSR1 reloads the configuration (new connections
 * get it), SIGUSR2 sets a test clock read from a file again (clock.h);
 * SIGTERM, SIGINT and SIGHUP stop it after the messages in progress.
 * Like the milter it sends scheduled mail (reminders) from a scheduler
 * thread (daemon/scheduler.h).
 */
#include "config.h"
#include "filter/listener.h"
#include "engine/batch.h"
#include "language/lang.h"
#include "daemon/check.h"
#include "util/clock.h"
#include "daemon/daemon.h"
#include "daemon/scheduler.h"
#include "daemon/snapshot.h"
#include "daemon/startup.h"
#include "sender/sender.h"
#include "store/pool.h"
#include "util/log.h"
#include "report/report_charts.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG SYSCONFDIR "/ticket-milter/ticket-milter.conf"
#define SHUTDOWN_GRACE_SECONDS 30
#define ENGINE_BATCH_MAX 16	/* as the milter's: see its main.c */

static void usage(FILE *out)
{
	fprintf(out, "usage: ticket-filter [-c FILE] [-f] [-n] [-V]\n"
		"  -c FILE  configuration file (default " DEFAULT_CONFIG ")\n"
		"  -f       stay in the foreground and log to stderr as well (syslog = no: only)\n"
		"  -n       check the configuration and what it points to, then exit\n"
		"  -V       print the version and exit\n");
}

/* SIGUSR1 reloads, SIGUSR2 sets a test clock again (clock.h); the stop
 * signals end the accept loop. */
static void *signal_thread(void *arg)
{
	struct filter_context *fx = arg;
	char *error = NULL;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			if (snapshot_reload() == 0)
				scheduler_kick(fx->scheduler);	/* levels and recipients may have changed */
			continue;
		}
		if (sig == SIGUSR2) {
			int moved = clock_reread(fx->clock, &error);
			if (moved > 0) {
				log_warning("%s: the clock is set to %+lld s from real time (for tests only)",
					    CLOCK_TEST_VARIABLE, (long long)clock_offset(fx->clock));
				scheduler_kick(fx->scheduler);
			} else if (moved < 0) {
				log_err("%s", error);
				g_clear_pointer(&error, g_free);
			}
			continue;
		}
		log_info("signal %d: stopping after the messages in progress", sig);
		g_atomic_int_set(&fx->stopping, 1);
		return NULL;
	}
}

/* What ticket-filter needs beyond what the milter needs. */
static void check_filter_keys(const char *path, const struct settings *s, GPtrArray *errors)
{
	if (s->filter_listen == NULL)
		g_ptr_array_add(errors, g_strdup_printf("%s:0: [filter] listen is not set: ticket-filter has nowhere "
							"to listen", path));
	if (s->filter_reinject == NULL)
		g_ptr_array_add(errors, g_strdup_printf("%s:0: [filter] reinject is not set: ticket-filter has "
							"nowhere to pass mail on", path));
	if (s->filter_max_connections < 1)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: [filter] max-connections must be at least 1", path,
							settings_line(s, "filter", "max-connections")));
	if (s->filter_timeout_seconds < 1)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: [filter] timeout must be at least 1s", path,
							settings_line(s, "filter", "timeout")));
	if (s->max_message_size > 0 && s->filter_max_size < s->max_message_size)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: [filter] max-size (%zu) is smaller than [milter] "
							"max-message-size (%zu)", path,
							settings_line(s, "filter", "max-size"),
							s->filter_max_size, s->max_message_size));
}

/* -n: the milter's checks, the filter's listener among the notes. */
static void check_all(const struct settings *s, GPtrArray *errors)
{
	char *exposure;

	check_settings(s, errors);
	if (s->filter_listen && (exposure = check_socket_exposure(s->filter_listen)) != NULL) {
		/* The same risk as the milter's: AUTH= and XFORWARD are believed. */
		g_ptr_array_add(s->notes, g_strdup_printf("%s:%d: note: [filter] listen: %s", s->path,
							  settings_line(s, "filter", "listen"), exposure));
		g_free(exposure);
	}
}

static int run_daemon(struct settings *s, bool foreground)
{
	struct filter_context fx = { .acquire = snapshot_acquire };
	const char *sock_path = daemon_socket_path(s->filter_listen);
	struct store_pool *pool;
	pthread_t signals;
	int fd, left;

	{
		/* Before any thread: the signals are signal_thread's. */
		sigset_t all;
		sigemptyset(&all);
		sigaddset(&all, SIGUSR1);
		sigaddset(&all, SIGUSR2);
		sigaddset(&all, SIGTERM);
		sigaddset(&all, SIGHUP);
		sigaddset(&all, SIGINT);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	{
		char *error = NULL;
		struct clock *clock = clock_new(g_getenv(CLOCK_TEST_VARIABLE), &error);

		if (clock == NULL) {
			log_err("not starting: %s", error);
			g_free(error);
			return 1;
		}
		if (clock_is_test(clock))
			log_warning("%s is set: the daemon's clock runs %+lld s from real time (for tests only)",
				    CLOCK_TEST_VARIABLE, (long long)clock_offset(clock));
		fx.clock = clock;
	}
	if (daemon_check_files(s) != 0)
		return 1;
	{
		char *exposure = check_socket_exposure(s->filter_listen);
		if (exposure)
			log_warning("[filter] listen: %s", exposure);
		g_free(exposure);
	}
	if ((fd = listener_open(s->filter_listen, s->user)) < 0)
		return 1;
	if ((!foreground && daemon_detach() != 0) ||
	    (s->filter_pid_file && daemon_write_pid(s->filter_pid_file) != 0)) {
		if (sock_path)
			unlink(sock_path);
		return 1;
	}
	if (daemon_drop_privileges(s->user) != 0 || daemon_open_store(s) != 0)
		return 1;
	snapshot_install(settings_ref(s));
	pool = store_pool_new(1);
	fx.sender = sender_start(snapshot_acquire_settings, pool, fx.clock);
	fx.scheduler = scheduler_start(snapshot_acquire, pool, fx.sender, fx.clock);
	fx.batch = engine_batch_new(pool, ENGINE_BATCH_MAX);
	if (pthread_create(&signals, NULL, signal_thread, &fx) != 0) {
		log_err("cannot start the signal thread");
		return 1;
	}
	pthread_detach(signals);
	log_info("ticket-filter %s listening on %s (%s), re-injecting to %s, %zu queue(s)", PACKAGE_VERSION,
		 s->filter_listen, s->filter_protocol == FILTER_LMTP ? "lmtp" : "smtp", s->filter_reinject,
		 s->n_queues);
	left = listener_run(&fx, fd, SHUTDOWN_GRACE_SECONDS);
	close(fd);
	if (left > 0)
		log_warning("stopping with %d connection(s) still open", left);
	/* The scheduler wakes the sender: it stops first. */
	scheduler_stop(fx.scheduler);
	sender_stop(fx.sender);
	if (left == 0) {
		/* No session is left to wake it, and the signal thread ended
		 * with the stop signal. */
		struct engine_batch_stats stats = engine_batch_stats(fx.batch);
		scheduler_free(fx.scheduler);
		log_info("recorded %llu message(s) in %llu transaction(s), at most %d in one",
			 (unsigned long long)stats.jobs, (unsigned long long)stats.batches, stats.largest);
		engine_batch_free(fx.batch);
		store_pool_free(pool);
		clock_free(fx.clock);
	}
	if (s->filter_pid_file)
		unlink(s->filter_pid_file);
	if (sock_path)
		unlink(sock_path);
	log_info("ticket-filter stopped");
	return 0;
}

int main(int argc, char **argv)
{
	const char *config_path = DEFAULT_CONFIG;
	bool foreground = false, check_only = false;
	GPtrArray *errors;
	struct settings *s;
	int opt, rc;

	while ((opt = getopt(argc, argv, "c:fnVh")) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'f': foreground = true; break;
		case 'n': check_only = true; break;
		case 'V': printf("ticket-filter %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	umask(077);	/* what we create holds customers' mail: owner only */
	g_mime_init();
	lang_init();
	log_open("ticket-filter", !check_only, foreground || check_only);

	errors = g_ptr_array_new_with_free_func(g_free);
	s = settings_load(config_path, SETTINGS_LOAD_SECRET, errors);
	if (s)
		check_filter_keys(config_path, s, errors);
	if (s && check_only && errors->len == 0)
		check_all(s, errors);
	if (errors->len) {
		/* In the foreground the log already goes to stderr. */
		for (guint i = 0; i < errors->len; i++) {
			if (check_only || !foreground)
				fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
			if (!check_only)
				log_err("not starting: %s", (char *)g_ptr_array_index(errors, i));
		}
		rc = 1;
	} else if (check_only) {
		for (guint i = 0; i < s->notes->len; i++)
			printf("%s\n", (char *)g_ptr_array_index(s->notes, i));
		printf("%s: OK\n", config_path);
		rc = 0;
	} else if (!s->syslog && !foreground) {
		fprintf(stderr, "%s: syslog = no needs -f: in the background there is nowhere else to log\n", config_path);
		rc = 1;
	} else {
		if (!s->syslog)
			log_stop_syslog();
		log_set_level(s->log_level);
		rc = run_daemon(s, foreground);
	}
	g_ptr_array_free(errors, TRUE);
	settings_unref(s);
	snapshot_release();
	g_mime_shutdown();
	report_charts_shutdown();	/* the weekly mail's PNGs */
	return rc;
}
