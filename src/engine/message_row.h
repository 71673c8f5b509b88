/*
 * message_row.h - the stored row of one message (store.h's
 * store_message) from the parsed message and its envelope: one builder
 * for a customer's inbound mail and an agent's reply or note, so that
 * they are stored alike.  Room: engine.
 */
#ifndef TM_MESSAGE_ROW_H
#define TM_MESSAGE_ROW_H

#include "engine/engine_result.h"
#include "mime/message.h"
#include "store/store.h"

/* Completes row with what msg and env say (recipients, subject, date,
 * time of receipt, excerpt, size, hash, queue id) and stores it.  The
 * caller fills the rest first: ticket, direction, the Message-ID it is
 * found by again, sender, and for inbound mail its evidence, held
 * addresses and thread root.  The row borrows from msg and env: read it
 * afterwards only while they live.  0 or -1 (store_error). */
int message_row_add(struct store *st, struct store_message *row, const struct message *msg,
		    const struct envelope *env);

#endif
