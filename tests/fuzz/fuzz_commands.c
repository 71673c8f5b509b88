/*
 * fuzz_commands.c - libFuzzer harness: the agent's body commands
 * (commands_parse.c) and the reply rewritten without them
 * (commands_strip.c).
 *
 * Each input is used twice, as the engine would meet it:
 *   - as the plain text of a reply: commands_parse() on the bytes;
 *   - as a whole message: parsed (message.c), its text searched for the
 *     command block, and when there is one, the raw message's body
 *     rewritten by commands_strip_body(), as agent_mail.c does.
 *
 * Checked promises (commands.h): the result is the number of command
 * lines, commands_after_block() ends the block where the parse did,
 * every command is a known word with a normalized argument, the
 * unknown lines are valid UTF-8 of bounded length, a rewritten body is
 * never produced for an empty block, and a rewritten body whose text is
 * a text/plain part, read again as the engine reads it, starts with none
 * of the command lines the engine read (the commands it applied never
 * reach the customer).
 */
#include "config.h"
#include "fuzz.h"
#include "commands/commands.h"
#include "mime/message.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

static const char *const known[] = { "status", "priority", "tier", "assign", "lang", "tz", "merge", "note", "cc", NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_libraries();
	return 0;
}

static void check_block(int n, const struct command_block *b)
{
	if (n < 0)
		fuzz_fail("commands_parse failed on text");
	if ((guint)n != b->commands->len + b->unknown->len)
		fuzz_fail("%d command lines, but %u commands and %u unknown", n, b->commands->len, b->unknown->len);
	if ((n == 0) != commands_block_is_empty(b))
		fuzz_fail("commands_block_is_empty disagrees with the count %d", n);
	for (guint i = 0; i < b->commands->len; i++) {
		const struct agent_command *c = g_ptr_array_index(b->commands, i);
		if (!g_strv_contains(known, c->name))
			fuzz_fail("unknown command \"%s\" accepted", c->name);
		if (c->arg == NULL ? strcmp(c->name, "note") != 0
				   : !g_utf8_validate(c->arg, -1, NULL) || strchr(c->arg, '\n'))
			fuzz_fail("#%s has a bad argument", c->name);
	}
	for (guint i = 0; i < b->unknown->len; i++) {
		const char *u = g_ptr_array_index(b->unknown, i);
		if (!g_utf8_validate(u, -1, NULL) || strlen(u) > COMMANDS_UNKNOWN_MAX || strchr(u, '\n'))
			fuzz_fail("unknown line not valid UTF-8, too long or not one line");
	}
}

/* commands_after_block() agrees with commands_parse(), as the engine's
 * test for a reply of commands only needs: it points at the start of a
 * line of text (or the end), and the lines before it are blank or the n
 * command lines the parse counted. */
static void check_after(const char *text, int n)
{
	const char *after = commands_after_block(text), *line = text;
	int seen = 0;

	if (after < text || after > text + strlen(text) || (after > text && *after && after[-1] != '\n'))
		fuzz_fail("commands_after_block does not point at the start of a line of the text");
	while (line < after) {
		const char *nl = strchr(line, '\n');
		const char *end = nl && nl < after ? nl : after;
		enum commands_line_kind kind = commands_line_kind(line, (size_t)(end - line));

		if (kind == COMMANDS_LINE_TEXT)
			fuzz_fail("a line of text before the end of the command block");
		seen += kind == COMMANDS_LINE_COMMAND;
		line = end + 1;
	}
	if (*after) {
		const char *nl = strchr(after, '\n');
		if (commands_line_kind(after, nl ? (size_t)(nl - after) : strlen(after)) != COMMANDS_LINE_TEXT)
			fuzz_fail("the text after the command block does not start with a line of text");
	}
	if (seen != n)
		fuzz_fail("%d command lines before the text, but commands_parse counted %d", seen, n);
}

/* The length of the header block up to and with its blank line, when
 * every line in it is a header field or a continuation; 0 otherwise
 * (where the body starts is then a matter of interpretation: the MTA's
 * and GMime's may differ, and real replies never look like that). */
static size_t header_block(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *colon = memchr(p, ':', n);

		if (nl == NULL)
			return 0;
		if (n == 0 || (n == 1 && p[0] == '\r'))
			return (size_t)(nl + 1 - raw);
		if (p[0] != ' ' && p[0] != '\t') {
			if (colon == NULL || colon == p)
				return 0;
			for (const char *c = p; c < colon; c++)
				if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
					return 0;
		} else if (p == raw) {
			return 0;
		}
		p = nl + 1;
	}
	return 0;
}

/* A printable ASCII character in the part: message_parse() reads the
 * HTML beside a text/plain part of nothing but white space.  (A part of
 * 8-bit text only is not counted: the check is then left out.) */
static bool has_text(GMimeObject *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));
	GMimeStream *mem = g_mime_stream_mem_new();
	bool text = false;

	if (content && g_mime_data_wrapper_write_to_stream(content, mem) >= 0) {
		GByteArray *b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		for (guint i = 0; i < b->len && !text; i++)
			text = b->data[i] > ' ' && b->data[i] < 0x7f;
	}
	g_object_unref(mem);
	return text;
}

/* The first text/plain part that is not an attachment decides. */
struct first_plain {
	bool seen, plain;
};

static void find_plain(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct first_plain *fp = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *disposition = g_mime_object_get_disposition(part);

	(void)parent;
	if (!fp->seen && GMIME_IS_PART(part) && ct && g_mime_content_type_is_type(ct, "text", "plain") &&
	    !(disposition && g_ascii_strcasecmp(disposition, "attachment") == 0)) {
		fp->seen = true;
		fp->plain = has_text(part);
	}
}

/* Whether message_parse() takes its text from a text/plain part (the
 * same walk as body_parts.c's), not from HTML. */
static bool text_is_plain(const char *raw, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *mm = g_mime_parser_construct_message(parser, NULL);
	GMimeObject *top = mm ? g_mime_message_get_mime_part(mm) : NULL;
	struct first_plain fp = { false, false };

	if (top) {
		find_plain(NULL, top, &fp);
		if (GMIME_IS_MULTIPART(top))
			g_mime_multipart_foreach(GMIME_MULTIPART(top), find_plain, &fp);
	}
	if (mm)
		g_object_unref(mm);
	g_object_unref(parser);
	g_object_unref(stream);
	return fp.plain;
}

/* One entry of a block as a comparable string. */
static char *entry(const struct command_block *b, guint i)
{
	const struct agent_command *c;

	if (i >= b->commands->len)
		return g_strconcat("?", (char *)g_ptr_array_index(b->unknown, i - b->commands->len), NULL);
	c = g_ptr_array_index(b->commands, i);
	return g_strconcat("#", c->name, " ", c->arg ? c->arg : "", NULL);
}

/* How many times each command line stands in text after the block: the
 * agent may write the same line again further down, and that one is
 * the agent's text for the customer. */
static GHashTable *later_lines(const char *text)
{
	GHashTable *later = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **lines = g_strsplit(text, "\n", -1);
	bool in_block = true;

	for (char **l = lines; *l; l++) {
		struct command_block one;

		if (in_block && commands_line_kind(*l, strlen(*l)) != COMMANDS_LINE_TEXT)
			continue;
		in_block = false;
		if (commands_parse(*l, &one) == 1) {
			char *e = entry(&one, 0);
			g_hash_table_insert(later, e, GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(later, e)) + 1));
		}
		commands_block_clear(&one);
	}
	g_strfreev(lines);
	return later;
}

/* The message as it leaves: the original header block, then the new
 * body.  Read again the way the engine reads it, none of the command
 * lines it read is at its top (but for as many copies as the agent's
 * text holds further down).  Checked when the engine reads a text/plain
 * part: the stripper reads HTML with a model of its own (tags, entities,
 * what ends a line), and on malformed markup the two can cut lines
 * differently, which is known and left (agent_mail.c refuses a reply
 * where the stripper finds nothing; a partly stripped HTML reply can
 * still show a command line). */
static void check_stripped(const char *raw, size_t len, GBytes *body, const struct command_block *block,
			   const char *text)
{
	size_t header_len = header_block(raw, len);
	gsize body_len;
	const char *body_data = g_bytes_get_data(body, &body_len);
	GString *out;
	struct command_block again;
	struct message *msg;
	GHashTable *read, *later;

	if (header_len == 0 || !text_is_plain(raw, len))
		return;
	read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < block->commands->len + block->unknown->len; i++)
		g_hash_table_add(read, entry(block, i));
	later = later_lines(text);
	out = g_string_new_len(raw, (gssize)header_len);
	g_string_append_len(out, body_data, (gssize)body_len);
	msg = message_parse(out->str, out->len, 4096);
	commands_parse(msg->full_text ? msg->full_text : msg->text, &again);
	for (guint i = 0; i < again.commands->len + again.unknown->len; i++) {
		char *e = entry(&again, i);
		int copies = GPOINTER_TO_INT(g_hash_table_lookup(later, e));
		if (copies > 0)
			g_hash_table_insert(later, g_strdup(e), GINT_TO_POINTER(copies - 1));
		else if (g_hash_table_contains(read, e))
			fuzz_fail("a command line the engine read is left after stripping: \"%s\"", e);
		g_free(e);
	}
	commands_block_clear(&again);
	message_free(msg);
	g_string_free(out, TRUE);
	g_hash_table_destroy(read);
	g_hash_table_destroy(later);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct command_block block;
	struct message *msg;
	GBytes *body;
	char *error = NULL;
	int n;

	/* The plain text of a reply. */
	n = commands_parse(text, &block);
	check_block(n, &block);
	check_after(text, n);
	commands_block_clear(&block);
	commands_block_clear(&block);	/* promised safe twice */

	/* A whole reply: the block from its text, then the body rewritten. */
	msg = message_parse((const char *)data, size, 4096);
	n = commands_parse(msg->full_text ? msg->full_text : msg->text, &block);
	check_block(n, &block);
	check_after(msg->full_text ? msg->full_text : msg->text, n);
	body = commands_strip_body((const char *)data, size, &block, &error);
	if (body && n == 0)
		fuzz_fail("a body rewritten for an empty command block");
	if (body && error)
		fuzz_fail("a body rewritten with an error: %s", error);
	/* When the engine found commands in this text, the customer gets
	 * them removed or the agent an error, never the lines themselves:
	 * agent_mail.c refuses a reply whose commands the stripper does not
	 * find (NULL without an error), so only a rewritten body is checked. */
	if (body) {
		check_stripped((const char *)data, size, body, &block, msg->full_text ? msg->full_text : msg->text);
		g_bytes_unref(body);
	}
	g_free(error);
	commands_block_clear(&block);
	message_free(msg);
	g_free(text);
	return 0;
}
