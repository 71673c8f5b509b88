/*
 * message_row.c - a message's stored row (see message_row.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/message_row.h"

int message_row_add(struct store *st, struct store_message *row, const struct message *msg,
		    const struct envelope *env)
{
	char *recipients = g_strjoinv(", ", env->recipients);
	int rc;

	row->recipients = recipients;
	row->subject = msg->subject;
	row->date = msg->date;
	row->received = env->now;
	row->excerpt = msg->text;
	row->size = (int64_t)msg->size;
	row->sha256 = (char *)msg->sha256;
	row->queue_id = (char *)env->queue_id;
	rc = store_message_add(st, row);
	row->recipients = NULL;
	g_free(recipients);
	return rc;
}
