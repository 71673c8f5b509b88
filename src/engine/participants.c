/*
 * participants.c - who joins a ticket from one inbound message (see
 * participants.h).  Room: engine.
 */
#include "config.h"
#include "engine/participants.h"

#include <string.h>

static const char WHY_EVIDENCE[] =
	"the sender is only claimed by the From header: add them with #cc if they belong";
static const char WHY_FORGED[] = "the sender failed DMARC (evidence contradicted): nobody it names joins";
static const char WHY_CAP[] = "over the participant limit (max-participants, max-new-participants)";

static void hold(struct participants_held *held, const char *address, const char *why)
{
	for (guint i = 0; i < held->addresses->len; i++)
		if (strcmp(g_ptr_array_index(held->addresses, i), address) == 0)
			return;
	held->count++;
	if (held->addresses->len < PARTICIPANTS_HELD_LISTED)
		g_ptr_array_add(held->addresses, g_strdup(address));
	if (held->why == NULL || why == WHY_CAP)
		held->why = why;
}

struct joining {
	const struct settings *s;
	const struct queue *q;
	struct store *st;
	int64_t ticket_id;
	int64_t now;
	int total;		/* participants of the ticket now */
	int added;		/* by this message */
	struct participants_held *held;
};

/* 0 added, held or already there; -1 store error. */
static int join_one(struct joining *j, const char *address, const char *name, const char *refused)
{
	int known;

	if (settings_queue_for(j->s, address, NULL) != NULL)
		return 0;
	if ((known = store_is_participant(j->st, j->ticket_id, address)) != 0)
		return known < 0 ? -1 : 0;
	if (refused) {
		hold(j->held, address, refused);
		return 0;
	}
	if (j->total >= j->q->max_participants || j->added >= j->q->max_new_participants) {
		hold(j->held, address, WHY_CAP);
		return 0;
	}
	if (store_participant_add(j->st, j->ticket_id, address, name, "cc", j->now) != 0)
		return -1;
	j->total++;
	j->added++;
	return 0;
}

int participants_join(const struct settings *s, const struct queue *q, struct store *st, int64_t ticket_id,
		      const struct message *msg, const char *sender, bool new_ticket, enum evidence level,
		      int64_t now, struct participants_held *held)
{
	const GPtrArray *lists[] = { msg->to, msg->cc };
	struct joining j = { s, q, st, ticket_id, now, 0, 0, held };
	const char *refused = level == EVIDENCE_CONTRADICTED ? WHY_FORGED
			      : new_ticket || evidence_may(level, EVIDENCE_ADD_PARTICIPANTS) ? NULL : WHY_EVIDENCE;

	memset(held, 0, sizeof *held);
	held->addresses = g_ptr_array_new_with_free_func(g_free);
	if (store_participant_count(st, ticket_id, &j.total) != 0)
		return -1;
	/* Threading let the sender in: a participant already, or holding a token. */
	if (join_one(&j, sender, msg->from ? msg->from->name : NULL, NULL) != 0)
		return -1;
	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			const struct mailbox *m = g_ptr_array_index(lists[l], i);
			if (join_one(&j, m->address, m->name, refused) != 0)
				return -1;
		}
	return 0;
}

char *participants_held_text(const struct participants_held *held)
{
	GString *out;

	if (held->count == 0)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < held->addresses->len; i++)
		g_string_append_printf(out, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(held->addresses, i));
	if (held->count > held->addresses->len)
		g_string_append_printf(out, " and %u more", held->count - held->addresses->len);
	return g_string_free(out, FALSE);
}

void participants_held_clear(struct participants_held *held)
{
	if (held->addresses)
		g_ptr_array_free(held->addresses, TRUE);
	memset(held, 0, sizeof *held);
}
