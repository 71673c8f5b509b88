/*
 * run_as.h - taking on the identity of [milter] user.
 *
 * The daemon becomes that user for good once its socket and pid file are
 * open.  ticketctl and `ticket-milter -n`, run as root, take on its
 * identity (effective ids and groups only: the real ids stay, so that
 * ticketctl still knows who ran it) before they open the store.  SQLite
 * opens the database's -wal and -shm files by name, following links,
 * and as root gives them to the database's owner: in a folder that user
 * can write it must never run as root.
 *
 * Not thread safe (getpwnam): for start-up and ticketctl.  Error strings
 * are the caller's (g_free).
 * Room: util.
 */
#ifndef TM_RUN_AS_H
#define TM_RUN_AS_H

#include <sys/types.h>

/* user's uid and primary gid; 0, or -1 with *error set. */
int run_as_lookup(const char *user, uid_t *uid, gid_t *gid, char **error);

/* Whom the daemon's files must belong to: user when running as root
 * with user set, else this process (effective ids).  0 or -1. */
int run_as_owner(const char *user, uid_t *uid, gid_t *gid, char **error);

/* What run_as_assume() changed, for run_as_restore(). */
struct run_as_saved {
	int changed;		/* 0: nothing to restore */
	uid_t euid;
	gid_t egid;
	int n_groups;
	gid_t *groups;		/* g_free'd by run_as_restore() */
};

/* Takes on user's effective uid, gid and groups when running as root
 * with user set; does nothing otherwise.  0, or -1 with *error set.
 * saved receives what to restore. */
int run_as_assume(const char *user, struct run_as_saved *saved, char **error);

/* Back to the identity before run_as_assume(): the real ids never
 * changed, so this always works.  Called before exit, since
 * LeakSanitizer cannot trace its own threads in a process whose
 * effective uid changed unless it is root again. */
void run_as_restore(struct run_as_saved *saved);

/* Becomes user for good (setgid, initgroups, setuid) and makes sure
 * root cannot be regained; does nothing when user is NULL or is
 * already this process's.  0, or -1 with *error set. */
int run_as_become(const char *user, char **error);

#endif
