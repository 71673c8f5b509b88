/*
 * test_edited_message.c - a spooled message with header changes applied
 * as an MTA applies a milter's (compose/edited_message.h): indexes among
 * same-named headers, deletions from the highest down, changes of a
 * missing header added, added headers last; the body kept or replaced;
 * CRLF or LF out whatever came in; a header too big to hold passed on
 * as it is.  Room: tests.
 */
#include "config.h"
#include "compose/edited_message.h"
#include "compose/header_edits.h"
#include "util/spool.h"
#include "tap.h"

#include <glib.h>

static int collect(const char *data, size_t len, void *arg)
{
	g_string_append_len(arg, data, (gssize)len);
	return 0;
}

static struct spool *spool_of(const char *text)
{
	struct spool *sp = spool_new(NULL, 1 << 20, 0);
	char *error = NULL;

	spool_append(sp, text, strlen(text), &error);
	return sp;
}

/* The message written from text with edits and body, LF or CRLF. */
static char *edited(const char *text, GPtrArray *edits, const char *body, bool crlf, size_t hold)
{
	struct spool *sp = spool_of(text);
	GString *out = g_string_new(NULL);
	GBytes *b = body ? g_bytes_new(body, strlen(body)) : NULL;
	char *error = NULL;

	if (edited_message_write(sp, edits, b, hold, crlf, collect, out, &error) != 0) {
		tap_diag("error: %s", error);
		g_free(error);
	}
	if (b)
		g_bytes_unref(b);
	spool_free(sp);
	return g_string_free(out, FALSE);
}

static GPtrArray *edits_new(void)
{
	return g_ptr_array_new_with_free_func(edits_free_one);
}

int main(void)
{
	const char *msg = "Received: one\r\nX-Ticket-ID: forged\r\nSubject: Printer\r\n on fire\r\n"
			  "x-ticket-status: forged too\r\nTo: support@example.com\r\n\r\n.line\r\nbody\r\n";
	GPtrArray *e = edits_new();
	char *out;

	/* As the engine strips X-Ticket-*: highest index first. */
	edits_add(e, HEADER_DELETE, "x-ticket-status", 1, NULL);
	edits_add(e, HEADER_DELETE, "X-Ticket-ID", 1, NULL);
	edits_add(e, HEADER_CHANGE, "Subject", 1, "[SUP-1001] Printer on fire");
	edits_add(e, HEADER_ADD, "X-Ticket-ID", 0, "SUP-1001");
	edits_add(e, HEADER_CHANGE, "Reply-To", 1, "<support+x@example.com>");
	out = edited(msg, e, NULL, true, 65536);
	is_str(out, "Received: one\r\nSubject: [SUP-1001] Printer on fire\r\nTo: support@example.com\r\n"
		    "X-Ticket-ID: SUP-1001\r\nReply-To: <support+x@example.com>\r\n\r\n.line\r\nbody\r\n",
	       "forged fields deleted, the subject changed in place, added and missing-changed fields last");
	g_free(out);

	out = edited(msg, NULL, NULL, false, 65536);
	is_str(out, "Received: one\nX-Ticket-ID: forged\nSubject: Printer\n on fire\nx-ticket-status: forged too\n"
		    "To: support@example.com\n\n.line\nbody\n", "no edits, LF out: the same message with LF");
	g_free(out);
	g_ptr_array_free(e, TRUE);

	e = edits_new();
	edits_add(e, HEADER_DELETE, "Received", 2, NULL);
	edits_add(e, HEADER_CHANGE, "received", 1, "first");
	out = edited("Received: a\nReceived: b\nReceived: c\n\nbody\r\nbare\rcr\n", e, NULL, true, 65536);
	is_str(out, "received: first\r\nReceived: c\r\n\r\nbody\r\nbare\rcr\r\n",
	       "the Nth of a name in any case, counted as the list stands; a bare CR stays");
	g_free(out);
	g_ptr_array_free(e, TRUE);

	e = edits_new();
	edits_add(e, HEADER_ADD, "X-Ticket-ID", 0, "SUP-1002");
	out = edited("From: a@example.org\nSubject: hi\n\nCommands\nand text\n", e, "text only\n", true, 65536);
	is_str(out, "From: a@example.org\r\nSubject: hi\r\nX-Ticket-ID: SUP-1002\r\n\r\ntext only\r\n", "the body replaced");
	g_free(out);

	out = edited("Subject: no body and no line end", e, NULL, false, 65536);
	is_str(out, "Subject: no body and no line end\nX-Ticket-ID: SUP-1002\n", "a header without a last line end");
	g_free(out);

	{
		GString *big = g_string_new("Subject: first\n");
		char *want;
		for (int i = 0; i < 2000; i++)
			g_string_append_printf(big, "X-Filler-%d: %s\n", i, "0123456789012345678901234567890123456789");
		g_string_append(big, "\nbody\n");
		out = edited(big->str, e, NULL, false, 4096);
		want = g_strdup(big->str);
		*strstr(want, "\n\nbody") = '\0';
		ok(g_str_has_prefix(out, want) && g_str_has_suffix(out, "\nX-Ticket-ID: SUP-1002\n\nbody\n"),
		   "a header past what is held passes as it is, with the added field after it");
		g_free(want);
		g_free(out);
		g_string_free(big, TRUE);
	}
	g_ptr_array_free(e, TRUE);
	return tap_done();
}
