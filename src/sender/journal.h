/*
 * journal.h - the sender's note of a delivery the store does not
 * know about yet.
 *
 * SMTP cannot make "the relay accepted the message" and "the outbox says
 * sent" one atomic step (RFC 1047).  The sender commits 'sending',
 * delivers, and then needs the database's write lock to commit 'sent';
 * under load that lock is busy with the milter's writers for a while.  A
 * crash in between used to put the entry back, and the customer got the
 * acknowledgement twice.  The journal narrows that window to one
 * write(2): right after the relay's 250 the entry's id is appended to a
 * small file beside the database (DATABASE-outbox), and once 'sent' is
 * committed the file is emptied.  After a crash the sender marks the ids
 * it finds there as sent before it puts the other 'sending' entries
 * back.
 *
 * The write survives the death of the process (it is in the page cache)
 * but is not fsync()ed: after a power loss the old window remains, and
 * the entry is sent again.  Either way: at least once, never lost.  What
 * is left is the time between the relay taking the final dot and the
 * write: microseconds, not the lock wait.
 *
 * One journal per database, shared by the sender's workers (appends are
 * atomic; the sender empties it when no worker has a note outstanding).
 * Room: sender.
 */
#ifndef TM_JOURNAL_H
#define TM_JOURNAL_H

#include <glib.h>
#include <stdint.h>

struct outbox_journal;

/* Opens (creating, mode 0640 under the daemon's umask) DATABASE-outbox;
 * refuses a symbolic link, anything but a regular file, and a file of
 * another user (safe_file.h).  NULL with *error set (g_free) on failure. */
struct outbox_journal *outbox_journal_open(const char *database, char **error);
void outbox_journal_close(struct outbox_journal *j);

/* Records that entry id was delivered (one write); 0, or -1 with errno. */
int outbox_journal_note(struct outbox_journal *j, int64_t id);
/* Forgets every note: called once the store records them all as sent. */
int outbox_journal_clear(struct outbox_journal *j);
/* The ids noted and not cleared (int64_t), in the order noted. */
GArray *outbox_journal_pending(struct outbox_journal *j);

#endif
