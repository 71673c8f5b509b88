/*
 * delivery_command.c - delivery through a local command such as sendmail(1)
 * (see delivery.h).
 *
 * posix_spawn, not fork: the milter is multi-threaded, and spawn does
 * nothing between fork and exec that another thread could break.
 * Room: sender.
 */
#include "config.h"
#include "sender/delivery.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **build_argv(const char *command, const char *sender, const char *recipient)
{
	char **words = g_strsplit_set(command, " \t", -1);
	GPtrArray *argv = g_ptr_array_new();

	for (char **w = words; *w; w++) {
		if (**w == '\0')
			continue;
		if (strcmp(*w, "%s") == 0)
			g_ptr_array_add(argv, g_strdup(*sender ? sender : "<>"));
		else if (strcmp(*w, "%r") == 0)
			g_ptr_array_add(argv, g_strdup(recipient));
		else
			g_ptr_array_add(argv, g_strdup(*w));
	}
	g_strfreev(words);
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

/* sendmail(1) speaks sysexits: these mean "not now", the rest "never". */
static bool exit_is_temporary(int code)
{
	return code == EX_TEMPFAIL || code == EX_OSERR || code == EX_IOERR || code == EX_CANTCREAT ||
	       code == EX_UNAVAILABLE || code == EX_SOFTWARE || code == EX_OSFILE;
}

static int write_all(int fd, const char *data, size_t len, time_t deadline)
{
	while (len > 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -1;
		if (time(NULL) > deadline)
			return -1;
		if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)))
			continue;
		n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

enum delivery_result delivery_command(const char *command, const char *sender, const char *recipient,
				      GBytes *message, int timeout_seconds, char **error)
{
	char **argv = build_argv(command, sender, recipient);
	posix_spawn_file_actions_t actions;
	time_t deadline = time(NULL) + timeout_seconds;
	int pipefd[2], status = 0, rc;
	gsize len;
	const char *data = g_bytes_get_data(message, &len);
	pid_t pid;
	enum delivery_result result;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		*error = g_strdup_printf("pipe: %s", strerror(errno));
		g_strfreev(argv);
		return DELIVERY_TEMPORARY;
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[0], STDIN_FILENO);
	rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipefd[0]);
	if (rc != 0) {
		close(pipefd[1]);
		*error = g_strdup_printf("cannot run %s: %s", argv[0], strerror(rc));
		g_strfreev(argv);
		return DELIVERY_TEMPORARY;
	}
	if (write_all(pipefd[1], data, len, deadline) != 0)
		kill(pid, SIGTERM);
	close(pipefd[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		g_usleep(10000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		result = DELIVERY_SENT;
	} else if (WIFEXITED(status)) {
		result = exit_is_temporary(WEXITSTATUS(status)) ? DELIVERY_TEMPORARY : DELIVERY_PERMANENT;
		*error = g_strdup_printf("%s exited with status %d", argv[0], WEXITSTATUS(status));
	} else {
		result = DELIVERY_TEMPORARY;
		*error = g_strdup_printf("%s was killed by signal %d%s", argv[0],
					 WIFSIGNALED(status) ? WTERMSIG(status) : 0,
					 time(NULL) > deadline ? " (timeout)" : "");
	}
	g_strfreev(argv);
	return result;
}
