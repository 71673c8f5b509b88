/*
 * main.c - the ticket-milter daemon: options, start-up, shutdown.
 *
 *   ticket-milter -c FILE [-f] [-n] [-V]
 *
 * Start-up order matters: the socket is opened while still root, then
 * the process detaches, writes its pid file and drops privileges, and
 * only then do threads start.  SIGUSR1 reloads the configuration, and
 * SIGUSR2 sets a test clock read from a file again (clock.h); libmilter
 * itself stops on SIGHUP, SIGTERM and SIGINT.  Room: milter.
 */
#include "config.h"
#include "milter/callbacks.h"
#include "daemon/check.h"
#include "daemon/daemon.h"
#include "daemon/scheduler.h"
#include "util/clock.h"
#include "engine/batch.h"
#include "language/lang.h"
#include "util/log.h"
#include "util/run_as.h"
#include "sender/sender.h"
#include "compose/template.h"
#include "config/settings.h"
#include "daemon/snapshot.h"
#include "daemon/startup.h"
#include "store/store.h"
#include "store/pool.h"
#include "report/report_charts.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG SYSCONFDIR "/ticket-milter/ticket-milter.conf"
#define SHUTDOWN_GRACE_SECONDS 30
/* One database connection for every thread: see pool.h. */
#define DAEMON_STORE_CONNECTIONS 1
/* Messages recorded in one transaction at most: enough for every
 * session of a busy MTA, few enough that the first waits little. */
#define ENGINE_BATCH_MAX 16

static void usage(FILE *out)
{
	fprintf(out, "usage: ticket-milter [-c FILE] [-f] [-n] [-V]\n"
		"  -c FILE  configuration file (default " DEFAULT_CONFIG ")\n"
		"  -f       stay in the foreground and log to stderr as well (syslog = no: only)\n"
		"  -n       check the configuration and what it points to, then exit\n"
		"  -V       print the version and exit\n");
}

/* What the signal thread acts on: the daemon's own handles. */
struct signal_handles {
	sigset_t set;			/* SIGUSR1, SIGUSR2 */
	struct clock *clock;
	struct scheduler *scheduler;
};

static void *reload_thread(void *arg)
{
	struct signal_handles *h = arg;
	char *error = NULL;
	int sig;

	for (;;) {
		if (sigwait(&h->set, &sig) != 0)
			continue;
		if (sig == SIGUSR1 && snapshot_reload() == 0)
			scheduler_kick(g_atomic_pointer_get(&h->scheduler));	/* levels and recipients may have changed */
		if (sig != SIGUSR2)
			continue;
		switch (clock_reread(h->clock, &error)) {
		case 1:
			log_warning("%s: the clock is set to %+lld s from real time (for tests only)", CLOCK_TEST_VARIABLE,
				    (long long)clock_offset(h->clock));
			scheduler_kick(g_atomic_pointer_get(&h->scheduler));
			break;
		case -1:
			log_err("%s", error);
			g_clear_pointer(&error, g_free);
			break;
		}
	}
	return NULL;
}

static int print_errors(GPtrArray *errors)
{
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
	return errors->len ? 1 : 0;
}

static int run_daemon(struct settings *s, bool foreground)
{
	const char *sock_path = daemon_socket_path(s->socket);
	static struct signal_handles handles;
	struct clock *daemon_clock;
	pthread_t reloader;
	struct scheduler *scheduler;
	struct sender *sender;
	struct store_pool *pool;
	struct engine_batch *batch;
	char *exposure;
	mode_t umask_before;
	int rc;

	/* Block the signals before any thread exists: SIGUSR1 is for
	 * reload_thread, the stop signals for libmilter's own signal thread.
	 * A thread that left them open would die of SIGTERM instead.  And
	 * from the start, before the pid file tells anyone our pid: a
	 * SIGUSR1 in between would otherwise kill the daemon (its default
	 * action); now it waits for reload_thread. */
	{
		sigset_t all;
		sigemptyset(&all);
		sigaddset(&all, SIGUSR1);
		sigaddset(&all, SIGUSR2);
		sigaddset(&all, SIGTERM);
		sigaddset(&all, SIGHUP);
		sigaddset(&all, SIGINT);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	{
		char *error = NULL;

		if ((daemon_clock = clock_new(g_getenv(CLOCK_TEST_VARIABLE), &error)) == NULL) {
			log_err("not starting: %s", error);
			g_free(error);
			return 1;
		}
		handles.clock = daemon_clock;
		if (clock_is_test(daemon_clock))
			log_warning("%s is set: the daemon's clock runs %+lld s from real time (for tests only)",
				    CLOCK_TEST_VARIABLE, (long long)clock_offset(daemon_clock));
		callbacks_set_clock(daemon_clock);
	}
	if (daemon_check_files(s) != 0)
		return 1;
	if ((exposure = check_socket_exposure(s->socket)) != NULL) {
		log_warning("%s", exposure);
		g_free(exposure);
	}
	if (sock_path && daemon_remove_stale_socket(sock_path) != 0)
		return 1;
	if (smfi_setconn(s->socket) != MI_SUCCESS || smfi_register(milter_description) != MI_SUCCESS) {
		log_err("cannot set up the milter socket %s", s->socket);
		return 1;
	}
	errno = 0;
	/* A unix socket is born 0660 (owner and group: the MTA is put in
	 * the daemon's group), never world-writable, with no chmod by name. */
	umask_before = umask(0117);
	rc = smfi_opensocket(false);
	umask(umask_before);
	if (rc != MI_SUCCESS) {
		log_err("cannot open the milter socket %s%s%s", s->socket, errno ? ": " : "", errno ? strerror(errno) : "");
		return 1;
	}
	if (sock_path && daemon_socket_owner(sock_path, s->user) != 0)
		goto remove_socket;
	daemon_tcp_nodelay();
	if (!foreground && daemon_detach() != 0)
		goto remove_socket;
	if (s->pid_file && daemon_write_pid(s->pid_file) != 0)
		goto remove_socket;
	if (daemon_drop_privileges(s->user) != 0 || daemon_open_store(s) != 0)
		return 1;

	sigemptyset(&handles.set);
	sigaddset(&handles.set, SIGUSR1);
	sigaddset(&handles.set, SIGUSR2);
	signal(SIGPIPE, SIG_IGN);
	/* Before the reload thread: a SIGUSR1 already pending reloads at once. */
	snapshot_install(settings_ref(s));
	pool = store_pool_new(DAEMON_STORE_CONNECTIONS);
	sender = sender_start(snapshot_acquire_settings, pool, daemon_clock);
	scheduler = scheduler_start(snapshot_acquire, pool, sender, daemon_clock);
	g_atomic_pointer_set(&handles.scheduler, scheduler);
	if (pthread_create(&reloader, NULL, reload_thread, &handles) != 0) {
		log_err("cannot start the reload thread");
		return 1;
	}
	pthread_detach(reloader);

	log_info("ticket-milter %s listening on %s, %zu queue(s)", PACKAGE_VERSION, s->socket, s->n_queues);
	batch = engine_batch_new(pool, ENGINE_BATCH_MAX);
	callbacks_set_handles(sender, batch);
	callbacks_set_scheduler(scheduler);
	rc = smfi_main();

	/* SIGTERM: finish the transactions in progress before leaving. */
	for (int i = 0; i < SHUTDOWN_GRACE_SECONDS * 10 && callbacks_active_connections() > 0; i++)
		g_usleep(100000);
	if (callbacks_active_connections() > 0)
		log_warning("stopping with %d connection(s) still open", callbacks_active_connections());
	/* The scheduler wakes the sender: it stops first. */
	scheduler_stop(scheduler);
	sender_stop(sender);
	if (callbacks_active_connections() == 0) {
		struct engine_batch_stats stats = engine_batch_stats(batch);
		callbacks_set_handles(NULL, NULL);
		callbacks_set_scheduler(NULL);
		g_atomic_pointer_set(&handles.scheduler, NULL);
		scheduler_free(scheduler);
		log_info("recorded %llu message(s) in %llu transaction(s), at most %d in one",
			 (unsigned long long)stats.jobs, (unsigned long long)stats.batches, stats.largest);
		engine_batch_free(batch);
		store_pool_free(pool);
	}
	if (s->pid_file)
		unlink(s->pid_file);
	if (sock_path)
		unlink(sock_path);
	log_info("ticket-milter stopped");
	return rc == MI_SUCCESS ? 0 : 1;

remove_socket:
	/* The socket we made goes, not whatever else took its name. */
	{
		struct stat st;
		if (sock_path && lstat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(sock_path);
	}
	return 1;
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
		case 'V': printf("ticket-milter %s\n", PACKAGE_VERSION); return 0;
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
	log_open("ticket-milter", !check_only, foreground || check_only);

	errors = g_ptr_array_new_with_free_func(g_free);
	s = settings_load(config_path, SETTINGS_LOAD_SECRET, errors);
	if (s && s->socket == NULL)
		g_ptr_array_add(errors, g_strdup_printf("%s:0: [milter] socket is not set: ticket-milter has nowhere to listen",
							config_path));
	if (s && check_only)
		check_settings(s, errors);
	if (errors->len && !check_only) {
		/* Into the mail log too, where the operator looks: the cause
		 * itself ("secret-file ... chmod 0600 it"), not only a summary.
		 * In the foreground the log already goes to stderr. */
		if (!foreground)
			print_errors(errors);
		for (guint i = 0; i < errors->len; i++)
			log_err("not starting: %s", (char *)g_ptr_array_index(errors, i));
		rc = 1;
	} else if (errors->len) {
		rc = print_errors(errors);
	} else if (check_only) {
		for (guint i = 0; i < s->notes->len; i++)
			printf("%s\n", (char *)g_ptr_array_index(s->notes, i));
		printf("%s: OK\n", config_path);
		rc = 0;
	} else if (!s->syslog && !foreground) {
		static const char why[] = "syslog = no needs -f: in the background there is nowhere else to log";
		/* The log is syslog here, and the one running us reads stderr. */
		fprintf(stderr, "%s: %s\n", config_path, why);
		log_err("not starting: %s", why);
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
