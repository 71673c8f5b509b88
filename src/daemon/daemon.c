/*
 * daemon.c - socket file, detach, pid file, privileges (see daemon.h).
 * Room: daemon.
 */
#include "config.h"
#include "daemon/daemon.h"
#include "util/log.h"
#include "util/run_as.h"
#include "util/safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *daemon_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return NULL;
}

int daemon_remove_stale_socket(const char *path)
{
	struct stat st;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : (log_err("socket %s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		log_err("socket %s exists and is not a socket; not removing it", path);
		return -1;
	}
	if (strlen(path) >= sizeof sun.sun_path) {
		log_err("socket path %s is too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (rc == 0) {
		log_err("socket %s is in use by a running process; is another ticket-milter running?", path);
		return -1;
	}
	if (unlink(path) != 0) {
		log_err("removing stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	log_info("removed stale socket %s", path);
	return 0;
}

int daemon_socket_owner(const char *path, const char *user)
{
	struct stat st;
	char *error = NULL;
	uid_t uid;
	gid_t gid;

	if (user == NULL || geteuid() != 0)
		return 0;
	if (run_as_lookup(user, &uid, &gid, &error) != 0) {
		log_err("%s", error);
		g_free(error);
		return -1;
	}
	/* A socket cannot be opened to fchown it: by name, then, but never
	 * through a link, and only the socket bind() just made.  Its mode
	 * came from the umask at bind(), so there is no chmod by name. */
	if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		log_err("socket %s is not the socket just created (replaced meanwhile?); not giving it to %s", path, user);
		return -1;
	}
	if (lchown(path, uid, gid) != 0) {
		log_err("chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int daemon_detach(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0) {
		log_err("setsid: %s", strerror(errno));
		return -1;
	}
	if (chdir("/") != 0)
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	return 0;
}

int daemon_write_pid(const char *path)
{
	char *error = NULL, line[32];
	int len = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	/* Written as root, maybe in a folder the daemon's user can write:
	 * never through a link, and an old file only if it is root's own. */
	int fd = safe_file_open(path, O_WRONLY, 0644, geteuid(), getegid(), NULL, &error);

	if (fd < 0) {
		log_err("not starting: pid-file %s", error);
		g_free(error);
		return -1;
	}
	if (ftruncate(fd, 0) != 0 || write(fd, line, (size_t)len) != len) {
		log_err("pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		log_err("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int daemon_drop_privileges(const char *user)
{
	char *error = NULL;

	if (run_as_become(user, &error) != 0) {
		log_err("%s", error);
		g_free(error);
		return -1;
	}
	return 0;
}

/* libmilter does not hand out its listening socket: find it among our
 * descriptors (at start-up it is the only listening one). */
int daemon_tcp_nodelay(void)
{
	int rc = 0;

	for (int fd = 0; fd < 1024; fd++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa, optlen = sizeof(int);
		int listening = 0, on = 1;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || !listening)
			continue;
		if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0 ||
		    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) {
			log_warning("cannot set TCP_NODELAY on the milter socket: %s", strerror(errno));
			rc = -1;
		}
	}
	return rc;
}
