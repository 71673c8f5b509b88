/* test_command_rule.c - what is a command line and what is the agent's
 * text (commands.h): the known words, their slips, everything else after
 * '#' as text (a numbered list); #cc; and the parser, the stripper (text,
 * HTML, <pre>) and the engine's test for commands only reading the same
 * lines. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "commands/commands.h"
#include "mime/message.h"
#include "text/text.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

#define KIND(s) commands_line_kind(s, strlen(s))

static void test_words(void)
{
	static const char *const commands[] = {
		"#status pending", "#STATUS: pending", "#Priority high", "#tier vip", "#assign bob@example.com",
		"#lang de", "#tz UTC", "#merge SUP-1", "#note", "#cc dave@example.net", "#CC -dave@example.net",
		/* slips: swapped, missing, extra and wrong letters */
		"#stauts pending", "#priorty high", "#asign bob@example.com", "#statuss pending", "#ststus pending",
		"#prioirty high", "#lnag de", "#tire vip", "#mergee SUP-1", "#ntoe", "#notes from the call",
	};
	static const char *const text[] = {
		"#1 Unplug the printer.", "#2 Wait ten seconds.", "#10 and last", "#thanks for waiting!",
		"#monday we will call", "#hashtag", "#statuses pending", "#assignee bob", "#satuts pending",
		"#stat pending", "#prio high", "#tie", "#ccc dave@example.net", "#tzz UTC", "#c dave@example.net",
		"#status-report", "# status pending", "##status pending", "#", "#grüße",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		is_int(KIND(commands[i]), COMMANDS_LINE_COMMAND, "a command line: %s", commands[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(text); i++)
		is_int(KIND(text[i]), COMMANDS_LINE_TEXT, "text: %s", text[i]);
	is_int(COMMANDS_TYPO_MIN, 4, "slips are read from words of 4 letters on");
}

static void test_block(void)
{
	struct command_block b;
	const char *list = "#status pending\n#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.\n";

	is_int(commands_parse(list, &b), 1, "#status, then a numbered list: one command line");
	ok(b.commands->len == 1 && b.unknown->len == 0, "and it is #status");
	commands_block_clear(&b);
	is_str(commands_after_block(list), "#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.\n",
	       "the text after the block starts at #1");
	is_str(commands_after_block("\n\n#status x\n\n#tier vip\n\nHello\n"), "Hello\n", "blank lines in and after the block");
	is_str(commands_after_block("#status pending\n\n"), "", "commands only: nothing after the block");
	is_str(commands_after_block("#status pending"), "", "no final newline");
	is_str(commands_after_block("Hello\n#status pending\n"), "Hello\n#status pending\n", "no block: the text itself");
	is_str(commands_after_block(""), "", "empty text");

	is_int(commands_parse("#ntoe the customer is rude\nHe shouts.\n", &b), 1, "#ntoe: one command line");
	ok(b.note && b.commands->len == 0 && b.unknown->len == 1, "a slip of #note makes a note, and is not understood");
	commands_block_clear(&b);
	is_int(commands_parse("#stauts pending now\n", &b), 1, "a slip with any argument");
	ok(b.unknown->len == 1 && strcmp(g_ptr_array_index(b.unknown, 0), "#stauts pending now") == 0,
	   "is reported as written");
	commands_block_clear(&b);
}

static char *cc_arg(const char *line)
{
	struct command_block b;
	char *arg = NULL;

	if (commands_parse(line, &b) == 1 && b.commands->len == 1 &&
	    strcmp(((struct agent_command *)g_ptr_array_index(b.commands, 0))->name, "cc") == 0)
		arg = g_strdup(((struct agent_command *)g_ptr_array_index(b.commands, 0))->arg);
	commands_block_clear(&b);
	return arg;
}

static void test_cc(void)
{
	static const char *const good[][2] = {
		{ "#cc dave@example.net", "dave@example.net" },
		{ "#cc <Dave@Example.NET>", "dave@example.net" },
		{ "#Cc: dave.smith+vendor@example.net", "dave.smith+vendor@example.net" },
		{ "#cc -dave@example.net", "-dave@example.net" },
		{ "#CC -<Dave@Example.NET>", "-dave@example.net" },
	};
	static const char *const bad[] = {
		"#cc", "#cc dave", "#cc -", "#cc dave@localhost", "#cc Dave <dave@example.net>",
		"#cc dave@example.net eve@example.net", "#cc dave@exa mple.com", "#cc \"dave\"@example.net",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		char *arg = cc_arg(good[i][0]);
		is_str(arg, good[i][1], "%s", good[i][0]);
		g_free(arg);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct command_block b;
		ok(commands_parse(bad[i], &b) == 1 && b.commands->len == 0 && b.unknown->len == 1, "not understood: %s",
		   bad[i]);
		commands_block_clear(&b);
	}
}

/* The block as the engine reads it (message_parse, then the text), the
 * body as the stripper leaves it, and what follows the block. */
struct read {
	struct command_block block;
	char *body;		/* NUL-terminated; NULL when not rewritten */
	char *error;
	char *after;		/* commands_after_block of the engine's text */
};

static void read_message(struct read *r, const char *raw)
{
	struct message *msg = message_parse(raw, strlen(raw), 4096);
	GBytes *body;

	memset(r, 0, sizeof *r);
	commands_parse(msg->full_text, &r->block);
	r->after = g_strdup(commands_after_block(msg->full_text));
	body = commands_strip_body(raw, strlen(raw), &r->block, &r->error);
	if (body) {
		gsize n;
		const char *d = g_bytes_get_data(body, &n);
		r->body = g_strndup(d, n);
		g_bytes_unref(body);
	}
	message_free(msg);
}

static void read_free(struct read *r)
{
	commands_block_clear(&r->block);
	g_free(r->body);
	g_free(r->error);
	g_free(r->after);
}

#define LIST "#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.\n"

static void test_agree(void)
{
	struct read r;

	read_message(&r, "From: alice@example.com\nSubject: x\n\n#status pending\n" LIST);
	ok(r.block.commands->len == 1 && r.block.unknown->len == 0, "plain: #status read");
	is_str(r.body, LIST, "plain: the stripper removes #status and keeps the list");
	is_str(r.after, "#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.",
	       "plain: the engine sees the list after the block (its text ends without a line end)");
	read_free(&r);

	read_message(&r, "From: alice@example.com\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
		     "<html><body><pre>#priority high\n" LIST "</pre></body></html>\n");
	ok(r.block.commands->len == 1 && r.block.unknown->len == 0, "HTML only, <pre>: #priority read on its own line");
	is_str(r.body, "<html><body><pre>" LIST "</pre></body></html>\n", "HTML <pre>: #priority removed, the list kept");
	ok(g_str_has_prefix(r.after, "#1 Unplug the printer.\n#2 "), "HTML <pre>: the engine sees the list's lines");
	read_free(&r);

	read_message(&r, "From: alice@example.com\nSubject: x\nMIME-Version: 1.0\n"
		     "Content-Type: multipart/alternative; boundary=\"b\"\n\n"
		     "--b\nContent-Type: text/plain; charset=utf-8\n\n#tier vip\n" LIST
		     "--b\nContent-Type: text/html; charset=utf-8\n\n<div>#tier vip</div><pre>" LIST "</pre>\n--b--\n");
	ok(r.block.commands->len == 1, "alternative: #tier read");
	ok(r.body && strstr(r.body, "\n\n" LIST "--b\n") && strstr(r.body, "\n\n<pre>" LIST "</pre>\n--b--"),
	   "alternative: removed from both parts, both lists kept: %s", r.body ? r.body : r.error);
	read_free(&r);

	read_message(&r, "From: alice@example.com\nSubject: x\n\n#status pending\n#thanks for waiting!\n");
	is_str(r.body, "#thanks for waiting!\n", "another word after '#': text, for the stripper too");
	read_free(&r);
}

static void test_html_pre_text(void)
{
	char *t = text_from_html("<p>one\ntwo</p><pre>#status pending\n#1 Unplug\r\n#2 Wait\n</pre><p>three\nfour</p>");

	ok(strstr(t, "\n#status pending\n#1 Unplug\n#2 Wait\n") != NULL, "text_from_html keeps the lines of <pre>");
	ok(strstr(t, "one two") && strstr(t, "three four"), "and joins source lines elsewhere: %s", t);
	g_free(t);
}

int main(void)
{
	g_mime_init();
	test_words();
	test_block();
	test_cc();
	test_agree();
	test_html_pre_text();
	return tap_done();
}
