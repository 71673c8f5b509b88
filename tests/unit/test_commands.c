/* test_commands.c - agent commands: parsing, validation, and the reply
 * rewritten without them (plain, QP, base64, HTML from the common
 * clients, attachments, inline images, CRLF, deep nesting, garbage). */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "commands/commands.h"
#include "mime/message.h"
#include "util/spool.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static const struct agent_command *command_at(const struct command_block *b, guint i)
{
	return i < b->commands->len ? g_ptr_array_index(b->commands, i) : NULL;
}

/* The argument a single-line text yields for its one command, or NULL. */
static char *parsed_arg(const char *text)
{
	struct command_block b;
	char *arg = NULL;

	if (commands_parse(text, &b) == 1 && b.commands->len == 1)
		arg = g_strdup(command_at(&b, 0)->arg);
	commands_block_clear(&b);
	return arg;
}

static bool rejected(const char *text)
{
	struct command_block b;
	bool r = commands_parse(text, &b) == 1 && b.commands->len == 0 && b.unknown->len == 1;

	commands_block_clear(&b);
	return r;
}

static size_t header_length(const char *raw, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (raw[i] == '\n' && raw[i + 1] == '\n')
			return i + 2;
		if (raw[i] == '\n' && raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

struct found {
	GMimePart *plain, *html;
	GPtrArray *all;		/* every leaf part */
};

static void collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct found *f = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *disposition = g_mime_object_get_disposition(part);

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	g_ptr_array_add(f->all, part);
	if (disposition && g_ascii_strcasecmp(disposition, "attachment") == 0)
		return;
	if (f->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
		f->plain = GMIME_PART(part);
	else if (f->html == NULL && g_mime_content_type_is_type(ct, "text", "html"))
		f->html = GMIME_PART(part);
}

static void find_parts(GMimeMessage *m, struct found *f)
{
	GMimeObject *top = g_mime_message_get_mime_part(m);

	f->plain = f->html = NULL;
	f->all = g_ptr_array_new();
	if (GMIME_IS_MULTIPART(top))
		g_mime_multipart_foreach(GMIME_MULTIPART(top), collect, f);
	else
		collect(NULL, top, f);
}

/* Decoded content of a part in UTF-8 (g_free). */
static char *part_text(GMimePart *part)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	GByteArray *b;
	char *text;

	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), mem);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0)
		text = g_convert((const char *)b->data, b->len, "UTF-8", g_mime_charset_iconv_name(charset), NULL, NULL, NULL);
	else
		text = g_strndup((const char *)b->data, b->len);
	g_object_unref(mem);
	return text ? text : g_strdup("(charset conversion failed)");
}

/* A rewrite: the block read from the message's text as the engine
 * reads it, the new body, the original headers with it, parsed again. */
struct rewrite {
	GBytes *body;
	char *error;
	char *whole;		/* headers + new body */
	GMimeMessage *again;	/* the whole parsed again */
	char *plain, *html;	/* decoded UTF-8 text of the body parts, or NULL */
	struct command_block block;
};

static void rewrite_with(struct rewrite *r, const char *raw, size_t len, const char *block_text)
{
	struct found f;

	memset(r, 0, sizeof *r);
	if (block_text) {
		commands_parse(block_text, &r->block);
	} else {
		struct message *msg = message_parse(raw, len, 4096);
		commands_parse(msg->full_text, &r->block);
		message_free(msg);
	}
	r->body = commands_strip_body(raw, len, &r->block, &r->error);
	if (r->body == NULL)
		return;
	{
		size_t h = header_length(raw, len), n;
		const char *data = g_bytes_get_data(r->body, &n);
		r->whole = g_malloc(h + n + 1);
		memcpy(r->whole, raw, h);
		memcpy(r->whole + h, data, n);
		r->whole[h + n] = '\0';
		r->again = fixture_mime_parse(r->whole, h + n);
	}
	if (r->again == NULL)
		return;
	find_parts(r->again, &f);
	r->plain = f.plain ? part_text(f.plain) : NULL;
	r->html = f.html ? part_text(f.html) : NULL;
	g_ptr_array_free(f.all, TRUE);
}

static void rewrite_run(struct rewrite *r, const char *raw, size_t len)
{
	rewrite_with(r, raw, len, NULL);
}

static void rewrite_free(struct rewrite *r)
{
	if (r->body)
		g_bytes_unref(r->body);
	if (r->again)
		g_object_unref(r->again);
	g_free(r->error);
	g_free(r->whole);
	g_free(r->plain);
	g_free(r->html);
	commands_block_clear(&r->block);
}

static const char *body_str(const struct rewrite *r)
{
	return r->whole ? r->whole + header_length(r->whole, strlen(r->whole)) : "";
}

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

/* ---- parsing ---- */

static void test_line_kind(void)
{
#define KIND(s) commands_line_kind(s, strlen(s))
	is_int(KIND("#status pending"), COMMANDS_LINE_COMMAND, "a command line");
	is_int(KIND("   \t#Status pending"), COMMANDS_LINE_COMMAND, "indented, any case");
	is_int(KIND("\xc2\xa0#status pending"), COMMANDS_LINE_COMMAND, "after a no-break space");
	is_int(KIND("\xef\xbb\xbf#status pending"), COMMANDS_LINE_COMMAND, "after a byte-order mark");
	is_int(KIND("#note"), COMMANDS_LINE_COMMAND, "a bare word");
	is_int(KIND("#status: pending"), COMMANDS_LINE_COMMAND, "word and colon");
	is_int(KIND("#stauts pending"), COMMANDS_LINE_COMMAND, "a slip of a command word is a command line too");
	is_int(KIND("#status\r"), COMMANDS_LINE_COMMAND, "CR before the line end");
	is_int(KIND("#1 priority for us is your printer"), COMMANDS_LINE_TEXT, "#1 is text");
	is_int(KIND("#hashtag-tastic day"), COMMANDS_LINE_TEXT, "#word- is text");
	is_int(KIND("#hashtag."), COMMANDS_LINE_TEXT, "#word. is text");
	is_int(KIND("# Heading"), COMMANDS_LINE_TEXT, "markdown heading is text");
	is_int(KIND("##status pending"), COMMANDS_LINE_TEXT, "## is text");
	is_int(KIND("#"), COMMANDS_LINE_TEXT, "a lone # is text");
	is_int(KIND("#grüße"), COMMANDS_LINE_TEXT, "non-ASCII in the word is text");
	is_int(KIND("#abcdefghijklmnopqrstuvwxyzabcdef x"), COMMANDS_LINE_TEXT, "another word is text");
	is_int(KIND("#abcdefghijklmnopqrstuvwxyzabcdefg x"), COMMANDS_LINE_TEXT, "33-letter word is text");
	is_int(KIND("Hello #status pending"), COMMANDS_LINE_TEXT, "# mid-text");
	is_int(KIND("  \t\r"), COMMANDS_LINE_BLANK, "blank");
	is_int(KIND("\xe2\x80\x8b\xc2\xa0"), COMMANDS_LINE_BLANK, "zero-width and no-break spaces are blank");
	is_int(commands_line_kind("#status\0x", 9), COMMANDS_LINE_TEXT, "a NUL after the word is text");
#undef KIND
}

static void test_each_command(void)
{
	struct command_block b;
	char *a;

	is_int(commands_parse("#status pending\n#priority urgent\n#assign bob@example.com\n#lang de\n"
			      "#tz Europe/Berlin\n#tier vip\n#merge SUP-1040\n#note\nHello\n", &b), 8, "eight commands");
	is_int(b.commands->len, 8, "all known and valid");
	is_int(b.unknown->len, 0, "none unknown");
	ok(b.note, "#note makes a note");
	is_str(command_at(&b, 0)->name, "status", "status name");
	is_str(command_at(&b, 0)->arg, "pending", "status arg");
	is_str(command_at(&b, 1)->arg, "urgent", "priority arg");
	is_str(command_at(&b, 2)->arg, "bob@example.com", "assign arg");
	is_str(command_at(&b, 3)->arg, "de", "lang arg");
	is_str(command_at(&b, 4)->arg, "Europe/Berlin", "tz arg");
	is_str(command_at(&b, 5)->arg, "vip", "tier arg");
	is_str(command_at(&b, 6)->name, "merge", "merge name");
	is_str(command_at(&b, 6)->arg, "SUP-1040", "merge arg");
	is_str(command_at(&b, 7)->name, "note", "note name");
	ok(command_at(&b, 7)->arg == NULL, "bare #note has no argument");
	ok(!commands_block_is_empty(&b), "block not empty");
	commands_block_clear(&b);
	commands_block_clear(&b);
	ok(b.commands == NULL && b.unknown == NULL && !b.note, "cleared twice");

	const char *statuses[] = { "new", "open", "pending", "resolved", "closed" };
	for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++) {
		char *line = g_strdup_printf("#status %s", statuses[i]);
		a = parsed_arg(line);
		is_str(a, statuses[i], "status %s", statuses[i]);
		g_free(a);
		g_free(line);
	}
	const char *priorities[] = { "low", "normal", "high", "urgent" };
	for (size_t i = 0; i < G_N_ELEMENTS(priorities); i++) {
		char *line = g_strdup_printf("#priority %s\n", priorities[i]);
		a = parsed_arg(line);
		is_str(a, priorities[i], "priority %s", priorities[i]);
		g_free(a);
		g_free(line);
	}
	a = parsed_arg("#tier Standard");
	is_str(a, "standard", "tier standard, case folded");
	g_free(a);
	a = parsed_arg("#lang pt-BR");
	is_str(a, "pt-BR", "lang pt-BR");
	g_free(a);
	a = parsed_arg("#lang pt_br");
	is_str(a, "pt-BR", "lang pt_br normalized");
	g_free(a);
	a = parsed_arg("#lang ZH-hant-tw");
	is_str(a, "zh-Hant-TW", "lang with script");
	g_free(a);
	a = parsed_arg("#lang es-419");
	is_str(a, "es-419", "lang with numeric region");
	g_free(a);
	a = parsed_arg("#tz America/Argentina/Buenos_Aires");
	is_str(a, "America/Argentina/Buenos_Aires", "three-part zone");
	g_free(a);
	a = parsed_arg("#tz Etc/GMT+5");
	is_str(a, "Etc/GMT+5", "Etc/GMT+5");
	g_free(a);
	a = parsed_arg("#tz UTC");
	is_str(a, "UTC", "UTC");
	g_free(a);
	a = parsed_arg("#assign <Bob.Smith+support@Example.COM>");
	is_str(a, "bob.smith+support@example.com", "assign with brackets, lower-cased");
	g_free(a);
	a = parsed_arg("#merge [sup-1040]");
	is_str(a, "SUP-1040", "merge from a subject tag");
	g_free(a);
}

static void test_validation(void)
{
	const char *bad[] = {
		"#status done", "#status", "#status pending now", "#priority asap", "#tier gold",
		"#assign bob", "#assign bob@", "#assign @example.com", "#assign bob@localhost",
		"#assign bob@exa mple.com", "#assign Bob <bob@example.com>", "#assign bob..x@example.com",
		"#assign bob@-example.com", "#lang english", "#lang d", "#lang de-", "#lang de-DE-x-y",
		"#tz Mars/Phobos", "#tz europe/berlin", "#tz zone.tab", "#tz leapseconds", "#tz +01:00",
		"#tz ABC5", "#tz ../../etc/passwd", "#tz /etc/localtime", "#tz Europe/Berlin/", "#tz GMT+5",
		"#merge 1040", "#merge SUP-", "#merge SUP-10x", "#merge -1040", "#merge SUP-0",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		ok(rejected(bad[i]), "rejected: %s", bad[i]);
}

static void test_unknown_and_case(void)
{
	struct command_block b;
	char *longline, *text;

	is_int(commands_parse("#stauts pending\n  #STATUS Pending  \n#Priority: HIGH\n#status bogus\nHi\n", &b), 4,
	       "four command lines");
	is_int(b.commands->len, 2, "two valid");
	is_str(command_at(&b, 0)->arg, "pending", "upper-case word and argument");
	is_str(command_at(&b, 1)->name, "priority", "word with colon");
	is_str(command_at(&b, 1)->arg, "high", "argument after colon");
	is_int(b.unknown->len, 2, "typo and bad argument reported");
	is_str(g_ptr_array_index(b.unknown, 0), "#stauts pending", "unknown keeps the line");
	is_str(g_ptr_array_index(b.unknown, 1), "#status bogus", "malformed keeps the line");
	commands_block_clear(&b);

	is_int(commands_parse("#stauts \xff\xfe world\n", &b), 1, "invalid UTF-8 in an unknown line");
	ok(g_utf8_validate(g_ptr_array_index(b.unknown, 0), -1, NULL), "reported line is valid UTF-8");
	commands_block_clear(&b);

	longline = g_strnfill(1000, 'x');
	text = g_strdup_printf("#stauts %s\n", longline);
	commands_parse(text, &b);
	ok(strlen(g_ptr_array_index(b.unknown, 0)) <= COMMANDS_UNKNOWN_MAX, "long unknown line cut to %d bytes",
	   COMMANDS_UNKNOWN_MAX);
	commands_block_clear(&b);
	g_free(text);
	g_free(longline);

	is_int(commands_parse("#stauts ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞"
			      "ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞ü€𝄞\n",
			      &b), 1, "multibyte unknown line");
	ok(g_utf8_validate(g_ptr_array_index(b.unknown, 0), -1, NULL) &&
	   strlen(g_ptr_array_index(b.unknown, 0)) <= COMMANDS_UNKNOWN_MAX, "cut at a character boundary");
	commands_block_clear(&b);
}

static void test_block_edges(void)
{
	struct command_block b;

	is_int(commands_parse("\n  \n\t\n#status pending\nHello\n", &b), 1, "leading blank lines skipped");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending\nHello\n#priority urgent\n", &b), 1, "the first text line ends the block");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending\n\n#priority urgent\n\nHello\n", &b), 2, "blank lines between commands");
	commands_block_clear(&b);
	is_int(commands_parse("#1 priority for us is your printer\n#status pending\n", &b), 0, "#1 is text: no block");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending\n#1 priority\n#priority urgent\n", &b), 1, "#1 ends the block");
	commands_block_clear(&b);
	is_int(commands_parse("Hello\n#status pending\n", &b), 0, "commands after text are text");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending\r\n#tier vip\r\nHello\r\n", &b), 2, "CRLF text");
	is_str(command_at(&b, 1)->arg, "vip", "no CR in the argument");
	commands_block_clear(&b);
	is_int(commands_parse("#status\xe3\x80\x80pending\xe2\x80\x8b\xc2\xa0\n", &b), 1, "unusual spaces");
	is_str(b.commands->len ? command_at(&b, 0)->arg : NULL, "pending", "ideographic space before, zero-width after");
	commands_block_clear(&b);
	is_int(commands_parse("", &b), 0, "empty text");
	ok(commands_block_is_empty(&b), "empty block");
	commands_block_clear(&b);
	is_int(commands_parse(NULL, &b), -1, "NULL text");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending", &b), 1, "no final newline");
	commands_block_clear(&b);
	is_int(commands_parse("#note call the customer back on Monday\nInternal: printer model X\n", &b), 1, "note with text");
	ok(b.note, "note with text is a note");
	is_str(command_at(&b, 0)->arg, "call the customer back on Monday", "note text kept");
	commands_block_clear(&b);
	is_int(commands_parse("#NOTE\n", &b), 1, "#NOTE");
	ok(b.note, "#NOTE in capitals is a note");
	commands_block_clear(&b);
	is_int(commands_parse("#status pending\n#status resolved\n", &b), 2, "repeated command");
	is_str(command_at(&b, 1)->arg, "resolved", "both kept in order");
	commands_block_clear(&b);
	ok(commands_block_is_empty(NULL), "NULL block is empty");
}

/* ---- stripping ---- */

static const char plain_only[] =
	"From: Bob <bob@example.com>\n"
	"To: customer@example.org\n"
	"Subject: Re: [SUP-1001] Printer on fire\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=us-ascii; format=flowed\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"\n"
	"#status pending\n"
	"#assign bob@example.com\n"
	"\n"
	"Hello Mrs Smith,\n"
	"\n"
	"the printer is fixed.\n"
	"#status is a word we use in quotes\n"
	"\n"
	"-- \n"
	"Bob\n"
	"Example Support\n";

static void test_plain(void)
{
	struct rewrite r;

	rewrite_run(&r, plain_only, strlen(plain_only));
	is_int(r.block.commands->len, 2, "plain: commands read from the message text");
	ok(r.body != NULL && r.error == NULL, "plain: rewritten (%s)", r.error ? r.error : "");
	is_str(body_str(&r), "Hello Mrs Smith,\n\nthe printer is fixed.\n#status is a word we use in quotes\n\n-- \nBob\nExample Support\n",
	       "plain: command lines and the blank lines around them gone, the rest byte for byte");
	ok(contains(r.plain, "-- \nBob\nExample Support"), "plain: signature kept");
	rewrite_free(&r);
}

/* Found by tests/fuzz/fuzz_commands: the engine reads the commands from
 * a text part that has a file name; they must be removed from it, not
 * delivered to the customer because the part looked like an attachment. */
static void test_named_text_part(void)
{
	static const char raw[] =
		"From: alice@example.com\nSubject: Re: [SUP-1001] x\nMIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=utf-8; name=\"reply.txt\"\n\n"
		"#status pending\n#assign bob@example.com\n\nHello Anna.\n";
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	is_int(r.block.commands->len, 2, "named text part: commands read from it");
	ok(r.body != NULL && r.error == NULL, "named text part: rewritten (%s)", r.error ? r.error : "");
	is_str(body_str(&r), "Hello Anna.\n", "named text part: command lines gone");
	rewrite_free(&r);
}

/* Found by tests/fuzz/fuzz_commands: unlabelled 8-bit text and control
 * characters are read by message_parse() as the detector says (here
 * Windows-1252) and spaces; the
 * stripper must read the lines the same way, or the commands the engine
 * applied reach the customer. */
static void test_read_as_parsed(void)
{
	static const char latin1[] =
		"From: alice@example.com\nSubject: x\nContent-Type: text/plain; charset=us-ascii\n\n"
		"#status\xa0pending\n\nGr\xfc\xdf" "e, the printer is fixed.\n";
	static const char controls[] =
		"From: alice@example.com\nSubject: x\n\n#status\x01pending\n#assign\x02" "bob@example.com\n\nHello.\n";
	static const char ascii_alias[] =
		"From: alice@example.com\nSubject: x\nContent-Type: text/plain; charset=ascii\n\n"
		"#lang de\n#status\xa0pending\n\nGr\xfc\xdf" "e, the printer is fixed.\n";
	struct rewrite r;

	rewrite_run(&r, latin1, strlen(latin1));
	is_int(r.block.commands->len, 1, "unlabelled 8-bit: the command read");
	is_str(body_str(&r), "Gr\xfc\xdf" "e, the printer is fixed.\n", "unlabelled 8-bit: removed, the bytes after kept");
	rewrite_free(&r);
	rewrite_run(&r, controls, strlen(controls));
	is_int(r.block.commands->len, 2, "control characters: both commands read");
	is_str(body_str(&r), "Hello.\n", "control characters: both lines removed");
	rewrite_free(&r);
	/* Every alias of US-ASCII ("ascii" here) is read alike: its 8-bit
	 * bytes as the detector says (Windows-1252), by message_parse() and
	 * the stripper, which both read "#status pending" after a no-break
	 * space: two commands, both removed. */
	rewrite_run(&r, ascii_alias, strlen(ascii_alias));
	is_int(r.block.commands->len, 2, "8-bit bytes in an ascii part: #lang and #status read");
	is_str(body_str(&r), "Gr\xfc\xdf" "e, the printer is fixed.\n", "ascii part: both lines removed");
	rewrite_free(&r);
}

static void test_qp_latin1(void)
{
	static const char raw[] =
		"From: bob@example.com\n"
		"Subject: Re: [SUP-1002] Drucker\n"
		"MIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=ISO-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"#status resolved\n"
		"#lang de\n"
		"\n"
		"Sehr geehrter Herr M=FCller,\n"
		"\n"
		"der Drucker l=E4uft wieder. Dies ist eine sehr lange Zeile, die weich umbro=\n"
		"chen wurde, damit sie in 76 Zeichen passt, mit Gr=FC=DFen.\n"
		"\n"
		"-- =\n"
		"\n"
		"Bob\n";
	struct rewrite r;
	GMimeObject *top;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "qp: rewritten");
	top = r.again ? g_mime_message_get_mime_part(r.again) : NULL;
	ok(top && g_mime_part_get_content_encoding(GMIME_PART(top)) == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE,
	   "qp: still quoted-printable");
	ok(contains(body_str(&r), "M=FCller") && contains(body_str(&r), "Gr=FC=DFen"), "qp: re-encoded as ISO-8859-1 QP");
	ok(!contains(body_str(&r), "=C3"), "qp: no UTF-8 crept in");
	ok(!contains(r.plain, "#status") && !contains(r.plain, "#lang"), "qp: commands gone");
	ok(g_str_has_prefix(r.plain ? r.plain : "", "Sehr geehrter Herr Müller,\n"), "qp: text starts with the greeting");
	ok(contains(r.plain, "umbrochen wurde") && contains(r.plain, "mit Grüßen."), "qp: soft line break decoded, rest kept");
	ok(contains(r.plain, "-- \nBob"), "qp: signature kept");
	rewrite_free(&r);
}

static void test_base64_utf8(void)
{
	const char *text = "#status pending\n#priority high\n\nHallo Jürgen,\n\nwir kümmern uns darum. 🖨️\n\n-- \nBob\n";
	char *b64 = g_base64_encode((const guchar *)text, strlen(text));
	char *raw = g_strdup_printf("From: bob@example.com\nSubject: x\nMIME-Version: 1.0\n"
				    "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n%s\n", b64);
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "base64: rewritten");
	ok(!contains(body_str(&r), "Hallo"), "base64: still base64 on the wire");
	is_str(r.plain, "Hallo Jürgen,\n\nwir kümmern uns darum. 🖨️\n\n-- \nBob\n", "base64: decoded text without commands");
	rewrite_free(&r);
	g_free(raw);
	g_free(b64);
}

static const char thunderbird_html[] =
	"<!DOCTYPE html>\n"
	"<html>\n"
	"  <head>\n"
	"    <meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\">\n"
	"    <title>#status in a title</title>\n"
	"  </head>\n"
	"  <body>\n"
	"    <p>#status pending<br>\n"
	"      #priority urgent<br>\n"
	"    </p>\n"
	"    <p>Hello Mrs Smith,</p>\n"
	"    <p>the printer is fixed.</p>\n"
	"    <div class=\"moz-signature\">-- <br>\n"
	"      Bob<br>\n"
	"      Example Support</div>\n"
	"  </body>\n"
	"</html>\n";

static void test_alternative_thunderbird(void)
{
	char *raw = g_strdup_printf(
		"From: bob@example.com\nSubject: Re: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/alternative;\n boundary=\"------------tb0123456789\"\n\n"
		"This is a multi-part message in MIME format.\n"
		"--------------tb0123456789\n"
		"Content-Type: text/plain; charset=UTF-8; format=flowed\n"
		"Content-Transfer-Encoding: 7bit\n\n"
		"#status pending\n#priority urgent\n\nHello Mrs Smith,\n\nthe printer is fixed.\n\n-- \nBob\nExample Support\n\n"
		"--------------tb0123456789\n"
		"Content-Type: text/html; charset=UTF-8\n"
		"Content-Transfer-Encoding: 7bit\n\n%s\n"
		"--------------tb0123456789--\n", thunderbird_html);
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "thunderbird: rewritten");
	ok(g_str_has_prefix(body_str(&r), "This is a multi-part message in MIME format.\n--------------tb0123456789\n"),
	   "thunderbird: preface and top-level boundary kept");
	ok(g_str_has_suffix(body_str(&r), "--------------tb0123456789--\n"), "thunderbird: closing boundary kept");
	is_str(r.plain, "Hello Mrs Smith,\n\nthe printer is fixed.\n\n-- \nBob\nExample Support\n",
	       "thunderbird: plain part (the last newline belongs to the boundary)");
	ok(!contains(r.html, "#status pending") && !contains(r.html, "#priority"), "thunderbird: html commands gone");
	ok(contains(r.html, "<title>#status in a title</title>"), "thunderbird: head untouched");
	ok(contains(r.html, "<body><p>Hello Mrs Smith,</p>\n    <p>the printer is fixed.</p>"),
	   "thunderbird: emptied <p> removed, the rest as it was");
	ok(contains(r.html, "-- <br>\n      Bob<br>\n      Example Support</div>"), "thunderbird: signature kept");
	rewrite_free(&r);
	g_free(raw);
}

static const char outlook_html_qp[] =
	"<html xmlns:v=3D\"urn:schemas-microsoft-com:vml\" xmlns:o=3D\"urn:schemas-microsoft-com:office:office\" xmlns:w=\n"
	"=3D\"urn:schemas-microsoft-com:office:word\" xmlns=3D\"http://www.w3.org/TR/REC-html40\">\n"
	"<head>\n"
	"<meta http-equiv=3D\"Content-Type\" content=3D\"text/html; charset=3Diso-8859-1\">\n"
	"<meta name=3D\"Generator\" content=3D\"Microsoft Word 15 (filtered medium)\">\n"
	"<style><!--\n"
	"p.MsoNormal, li.MsoNormal, div.MsoNormal\n"
	"\t{margin:0cm;\n"
	"\tfont-family:\"Calibri\",sans-serif;}\n"
	"--></style><!--[if gte mso 9]><xml>\n"
	"<o:shapedefaults v:ext=3D\"edit\" spidmax=3D\"1026\" />\n"
	"</xml><![endif]-->\n"
	"</head>\n"
	"<body lang=3D\"DE\" link=3D\"#0563C1\" vlink=3D\"#954F72\" style=3D\"word-wrap:break-word\">\n"
	"<div class=3D\"WordSection1\">\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\">#status resolved<o:p></o:p></span></p>\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\">#assign bob@example.com<o:p></o:p></span></p>\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\"><o:p>&nbsp;</o:p></span></p>\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\">Dear Mr M=FCller,<o:p></o:p></span></p>\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\"><o:p>&nbsp;</o:p></span></p>\n"
	"<p class=3D\"MsoNormal\"><span lang=3D\"EN-US\">the case is closed.<o:p></o:p></span></p>\n"
	"</div>\n"
	"</body>\n"
	"</html>\n";

static void test_alternative_outlook(void)
{
	char *raw = g_strdup_printf(
		"From: Bob <bob@example.com>\nSubject: AW: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/alternative;\n\tboundary=\"_000_DB9PR01MB1234_\"\n\n"
		"--_000_DB9PR01MB1234_\n"
		"Content-Type: text/plain; charset=\"iso-8859-1\"\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"#status resolved\n#assign bob@example.com\n\nDear Mr M=FCller,\n\nthe case is closed.\n\n"
		"--_000_DB9PR01MB1234_\n"
		"Content-Type: text/html; charset=\"iso-8859-1\"\n"
		"Content-Transfer-Encoding: quoted-printable\n\n%s\n"
		"--_000_DB9PR01MB1234_--\n", outlook_html_qp);
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "outlook: rewritten");
	is_str(r.plain, "Dear Mr Müller,\n\nthe case is closed.\n", "outlook: plain part");
	ok(!contains(r.html, "#status") && !contains(r.html, "#assign"), "outlook: html commands gone");
	ok(contains(r.html, "<div class=\"WordSection1\"><p class=\"MsoNormal\"><span lang=\"EN-US\">Dear Mr Müller,"),
	   "outlook: the three emptied paragraphs removed, Latin-1 text intact");
	ok(contains(r.html, "<o:p>&nbsp;</o:p></span></p>\n<p class=\"MsoNormal\"><span lang=\"EN-US\">the case is closed."),
	   "outlook: the blank paragraph after the greeting kept");
	ok(contains(r.html, "link=\"#0563C1\"") && contains(r.html, "<style><!--"), "outlook: attributes and style untouched");
	ok(contains(body_str(&r), "Content-Transfer-Encoding: quoted-printable\n\n<html xmlns:v=3D"),
	   "outlook: html still quoted-printable");
	rewrite_free(&r);
	g_free(raw);
}

static const char gmail_html[] =
	"<div dir=\"ltr\"><div>#status pending</div><div>#priority high</div><div><br></div><div>Hi Anna,</div>"
	"<div><br></div><div>we are on it.</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">"
	"On Mon, 2 Mar 2026 at 10:15, Anna &lt;<a href=\"mailto:anna@example.org\">anna@example.org</a>&gt; wrote:<br></div>"
	"<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">"
	"<div dir=\"ltr\">#status is all I need to know<br>#priority too</div></blockquote></div>\n";

static void test_alternative_gmail(void)
{
	char *raw = g_strdup_printf(
		"From: bob@example.com\nSubject: Re: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3\"\n\n"
		"--000000000000a1b2c3\n"
		"Content-Type: text/plain; charset=\"UTF-8\"\n\n"
		"#status pending\n#priority high\n\nHi Anna,\n\nwe are on it.\n\n"
		"On Mon, 2 Mar 2026 at 10:15, Anna <anna@example.org> wrote:\n\n> #status is all I need to know\n> #priority too\n\n"
		"--000000000000a1b2c3\n"
		"Content-Type: text/html; charset=\"UTF-8\"\n\n%s\n"
		"--000000000000a1b2c3--\n", gmail_html);
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "gmail: rewritten");
	ok(g_str_has_prefix(r.plain ? r.plain : "", "Hi Anna,\n\nwe are on it.\n"), "gmail: plain part starts with the text");
	ok(contains(r.plain, "> #status is all I need to know"), "gmail: quoted #status kept in plain");
	ok(g_str_has_prefix(r.html ? r.html : "", "<div dir=\"ltr\"><div>Hi Anna,</div><div><br></div><div>we are on it.</div></div><br>"),
	   "gmail: command divs and the blank div after them removed, wrapper kept");
	ok(contains(r.html, "#status is all I need to know<br>#priority too"), "gmail: quoted history untouched");
	rewrite_free(&r);
	g_free(raw);
}

static void test_html_styles(void)
{
	static const struct { const char *name, *html, *want; } cases[] = {
		{ "apple mail",
		  "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
		  "<body style=\"overflow-wrap: break-word; -webkit-nbsp-mode: space;\">#status pending"
		  "<div>#tz Europe/Berlin</div><div><br></div><div>Hallo Jürgen,</div><div>alles erledigt.</div>"
		  "<div><br><div><div>Bob</div></div></div></body></html>",
		  "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
		  "<body style=\"overflow-wrap: break-word; -webkit-nbsp-mode: space;\"><div>Hallo Jürgen,</div>"
		  "<div>alles erledigt.</div><div><br><div><div>Bob</div></div></div></body></html>" },
		{ "br lines at the start of body",
		  "<html><body>#status pending<br>#priority urgent<br><br>Hello<br>#status stays here<br></body></html>",
		  "<html><body>Hello<br>#status stays here<br></body></html>" },
		{ "p with br inside a wrapper div",
		  "<div class=\"wrapper\"><p>#priority urgent<br>#assign bob@example.com</p><p>Hello</p></div>",
		  "<div class=\"wrapper\"><p>Hello</p></div>" },
		{ "commands and text in one paragraph",
		  "<p>#status pending<br>Hello Bob</p>",
		  "<p>Hello Bob</p>" },
		{ "entities and inline markup",
		  "<div><span style=\"font-size:12px\"><b>&#35;status&nbsp;pending</b></span></div>"
		  "<div>#assign <a href=\"mailto:bob@example.com\">bob@example.com</a></div><div>Hi</div>",
		  "<div>Hi</div>" },
		{ "unclosed paragraphs",
		  "<p>#status pending<p>Hello<p>World",
		  "<p>Hello<p>World" },
		{ "pre",
		  "<pre>#status pending\n#tier vip\n\nHello\n#status kept\n</pre>",
		  "<pre>Hello\n#status kept\n</pre>" },
		{ "image before the commands: nothing to strip",
		  "<div><img src=\"cid:logo\"></div><div>#status pending</div>",
		  NULL },
		{ "only commands",
		  "<html><body><div>#status closed</div></body></html>",
		  "<html><body></body></html>" },
		{ "pre-existing empty element kept",
		  "<div id=\"top\"></div><div>#status pending</div><div>Hi</div>",
		  "<div id=\"top\"></div><div>Hi</div>" },
		{ "table cells are structure",
		  "<table><tr><td>#status pending</td></tr></table><p>Hi</p>",
		  "<table><tr><td></td></tr></table><p>Hi</p>" },
		{ "#1 at the top is text",
		  "<div>#1 priority for us</div>",
		  NULL },
		{ "comments in the block: those inside removed elements go",
		  "<body><!--[if !mso]>x<![endif]--><div>#status open<!-- c --></div>\r\n<div>Hi</div></body>",
		  "<body><!--[if !mso]>x<![endif]--><div>Hi</div></body>" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *raw = g_strdup_printf("From: bob@example.com\nSubject: x\nMIME-Version: 1.0\n"
					    "Content-Type: text/html; charset=utf-8\n\n%s", cases[i].html);
		struct rewrite r;

		rewrite_with(&r, raw, strlen(raw), "#status pending\n");
		is_str(r.html, cases[i].want, "html %s", cases[i].name);
		ok(r.error == NULL, "html %s: no error", cases[i].name);
		rewrite_free(&r);
		g_free(raw);
	}
}

/* The raw text of the part in the body that contains marker. */
static char *raw_section(const char *body, const char *marker, const char *boundary)
{
	const char *start = strstr(body, marker), *end;

	if (start == NULL)
		return NULL;
	end = strstr(start, boundary);
	return end ? g_strndup(start, end - start) : NULL;
}

static void test_mixed_attachment(void)
{
	GString *pdf = g_string_new("%PDF-1.4\n");
	char *b64, *raw, *before, *after;
	struct rewrite r;
	struct found f;
	bool same_bytes = false;

	for (int i = 0; i < 3000; i++)
		g_string_append_c(pdf, (char)(i * 37 % 256));
	b64 = g_base64_encode((const guchar *)pdf->str, pdf->len);
	{
		/* 76-column lines as mail clients write them. */
		GString *folded = g_string_new(NULL);
		for (size_t i = 0; i < strlen(b64); i += 76)
			g_string_append_printf(folded, "%.76s\n", b64 + i);
		g_free(b64);
		b64 = g_string_free(folded, FALSE);
	}
	raw = g_strdup_printf(
		"From: bob@example.com\nSubject: invoice\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
		"--mix\nContent-Type: text/plain; charset=utf-8\n\n#status resolved\n\nHere is your invoice.\n\n"
		"--mix\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename=\"notes.txt\"\n\n"
		"#status this file is the customer's config\n"
		"--mix\nContent-Type: application/pdf; name=\"invoice.pdf\"\n"
		"Content-Disposition: attachment;\n filename=\"invoice.pdf\"\nContent-Transfer-Encoding: base64\n\n%s"
		"--mix--\n", b64);
	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "mixed: rewritten");
	is_str(r.plain, "Here is your invoice.\n", "mixed: body text without commands");
	before = raw_section(raw, "Content-Type: application/pdf", "--mix--");
	after = raw_section(body_str(&r), "Content-Type: application/pdf", "--mix--");
	is_str(after, before, "mixed: the attachment's bytes are identical");
	g_free(before);
	g_free(after);
	before = raw_section(raw, "Content-Disposition: attachment; filename=\"notes.txt\"", "--mix");
	after = raw_section(body_str(&r), "Content-Disposition: attachment; filename=\"notes.txt\"", "--mix");
	is_str(after, before, "mixed: a text attachment starting with # is left alone");
	g_free(before);
	g_free(after);
	if (r.again) {
		find_parts(r.again, &f);
		for (guint i = 0; i < f.all->len; i++) {
			GMimePart *p = g_ptr_array_index(f.all, i);
			if (g_strcmp0(g_mime_part_get_filename(p), "invoice.pdf") == 0) {
				GMimeStream *mem = g_mime_stream_mem_new();
				GByteArray *ba;
				g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(p), mem);
				ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
				same_bytes = ba->len == pdf->len && memcmp(ba->data, pdf->str, pdf->len) == 0;
				g_object_unref(mem);
			}
		}
		g_ptr_array_free(f.all, TRUE);
	}
	ok(same_bytes, "mixed: the decoded PDF is the same");
	rewrite_free(&r);
	g_free(raw);
	g_free(b64);
	g_string_free(pdf, TRUE);
}

static void test_related_image(void)
{
	static const char png_b64[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
	char *raw = g_strdup_printf(
		"From: bob@example.com\nSubject: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/related; boundary=\"rel\"; type=\"multipart/alternative\"\n\n"
		"--rel\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
		"--alt\nContent-Type: text/plain; charset=utf-8\n\n#tier vip\n\nSee the screenshot.\n\n"
		"--alt\nContent-Type: text/html; charset=utf-8\n\n"
		"<html><body><div>#tier vip</div><div><br></div><div>See the screenshot.</div>"
		"<div><img src=\"cid:shot@example.com\" alt=\"shot\"></div></body></html>\n"
		"--alt--\n\n"
		"--rel\nContent-Type: image/png\nContent-ID: <shot@example.com>\nContent-Disposition: inline\n"
		"Content-Transfer-Encoding: base64\n\n%s\n"
		"--rel--\n", png_b64);
	struct rewrite r;
	char *before, *after;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "related: rewritten");
	is_str(r.plain, "See the screenshot.\n", "related: plain part");
	ok(contains(r.html, "<body><div>See the screenshot.</div><div><img src=\"cid:shot@example.com\" alt=\"shot\"></div>"),
	   "related: html without the command, image reference kept");
	before = raw_section(raw, "--rel\nContent-Type: image/png", "--rel--");
	after = raw_section(body_str(&r), "--rel\nContent-Type: image/png", "--rel--");
	is_str(after, before, "related: inline image part identical");
	ok(g_str_has_prefix(body_str(&r), "--rel\nContent-Type: multipart/alternative; boundary=\"alt\"\n"),
	   "related: top-level boundary kept");
	g_free(before);
	g_free(after);
	rewrite_free(&r);
	g_free(raw);
}

static void test_no_commands(void)
{
	static const char raw[] = "From: bob@example.com\nSubject: x\n\nHello,\n#status pending is not at the top\n";
	struct rewrite r;
	struct command_block empty = { 0 }, b;
	char *error = (char *)"unset";
	GBytes *body;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body == NULL && r.error == NULL, "no commands: NULL, no error");
	rewrite_free(&r);
	ok(commands_strip_body(raw, strlen(raw), &empty, &error) == NULL && error == NULL, "empty block: NULL");
	ok(commands_strip_body(raw, strlen(raw), NULL, NULL) == NULL, "NULL block and error: NULL");
	/* A block from elsewhere, a body without commands: nothing to do. */
	commands_parse("#status pending", &b);
	body = commands_strip_body(raw, strlen(raw), &b, &error);
	ok(body == NULL && error == NULL, "body without command lines: NULL, no error");
	commands_block_clear(&b);
}

static void test_crlf(void)
{
	char *raw = g_strdup_printf(
		"From: bob@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
		"--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
		"#status pending\r\n#tier standard\r\n\r\nGr=FC=DFe aus Berlin,\r\nBob\r\n"
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
		"<div>#status pending</div>\r\n<div>#tier standard</div>\r\n<div>Grüße aus Berlin,</div>\r\n<div>Bob</div>\r\n"
		"--b1--\r\nepilogue\r\n");
	struct rewrite r;
	const char *body;
	bool bare_lf = false;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "crlf: rewritten");
	body = body_str(&r);
	for (const char *p = body; *p; p++)
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			bare_lf = true;
	ok(*body && !bare_lf, "crlf: every line ends in CRLF, the epilogue's too");
	ok(g_str_has_suffix(body, "--b1--\r\nepilogue\r\n"), "crlf: epilogue kept");
	ok(r.plain && g_str_has_prefix(r.plain, "Grüße aus Berlin,") && !contains(r.plain, "#"), "crlf: plain part");
	ok(r.html && g_str_has_prefix(r.html, "<div>Grüße aus Berlin,</div>\r\n<div>Bob</div>"), "crlf: html part");
	rewrite_free(&r);
	g_free(raw);
}

static void test_deep_nesting(void)
{
	GString *raw = g_string_new("From: bob@example.com\nSubject: deep\nMIME-Version: 1.0\n"
				    "Content-Type: multipart/mixed; boundary=b0\n\n");
	struct rewrite r;

	for (int i = 0; i < 500; i++)
		g_string_append_printf(raw, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i + 1);
	g_string_append(raw, "--b500\nContent-Type: text/plain\n\n#status pending\n\nDeep hello\n");
	for (int i = 500; i >= 0; i--)
		g_string_append_printf(raw, "--b%d--\n", i);
	/* message_parse stops at max-mime-depth (50): give the block here. */
	rewrite_with(&r, raw->str, raw->len, "#status pending");
	ok(r.body != NULL, "500 deep: rewritten without blowing the stack");
	is_str(r.plain, "Deep hello", "500 deep: the innermost text part stripped");
	ok(g_str_has_prefix(body_str(&r), "--b0\nContent-Type: multipart/mixed; boundary=b1\n"), "500 deep: structure kept");
	rewrite_free(&r);

	/* Deeper than GMime follows (1024): no crash, whatever comes out. */
	g_string_assign(raw, "From: bob@example.com\nSubject: deeper\nContent-Type: multipart/mixed; boundary=b0\n\n");
	for (int i = 0; i < 3000; i++)
		g_string_append_printf(raw, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i + 1);
	g_string_append(raw, "--b3000\nContent-Type: text/plain\n\n#status pending\n\nDeeper\n");
	rewrite_run(&r, raw->str, raw->len);
	ok(true, "3000 deep: no crash (%s)", r.body ? "rewritten" : r.error ? r.error : "unchanged");
	rewrite_free(&r);

	/* 100000 nested <div>s: the HTML scanner's stack is bounded. */
	g_string_assign(raw, "From: bob@example.com\nSubject: x\nContent-Type: text/html\n\n");
	for (int i = 0; i < 100000; i++)
		g_string_append(raw, "<div>");
	g_string_append(raw, "#status pending<br>Hello");
	for (int i = 0; i < 100000; i++)
		g_string_append(raw, "</div>");
	rewrite_run(&r, raw->str, raw->len);
	ok(r.body != NULL && !contains(body_str(&r), "#status") && contains(body_str(&r), "<div><div>Hello</div>"),
	   "100000 nested divs: command removed");
	rewrite_free(&r);
	g_string_free(raw, TRUE);
}

static void test_refusals(void)
{
	static const char no_boundary[] =
		"From: bob@example.com\nSubject: x\nContent-Type: multipart/mixed\n\n--xx\nContent-Type: text/plain\n\n"
		"#status pending\nHello\n--xx--\n";
	static const char sig[] =
		"From: bob@example.com\nSubject: x\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\";"
		" micalg=pgp-sha256; boundary=\"sig\"\n\n"
		"--sig\nContent-Type: text/plain\n\n#status pending\n\nHello\n"
		"--sig\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n"
		"--sig--\n";
	struct command_block b;
	char *error = NULL;
	GBytes *body;

	commands_parse("#status pending\n", &b);
	body = commands_strip_body(no_boundary, strlen(no_boundary), &b, &error);
	ok(body == NULL && error != NULL, "top-level multipart without boundary: refused (%s)", error ? error : "");
	g_free(error);
	body = commands_strip_body(sig, strlen(sig), &b, &error);
	ok(body == NULL && error != NULL, "signed body: refused (%s)", error ? error : "");
	g_free(error);
	{
		/* Found by tests/fuzz/fuzz_commands: the engine reads the text
		 * inside the signed part; the stripper used to pass over signed
		 * parts, strip the later text part instead and report success. */
		static const char signed_then_plain[] =
			"From: bob@example.com\nSubject: x\nContent-Type: multipart/mixed; boundary=\"o\"\n\n"
			"--o\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"s\"\n\n"
			"--s\nContent-Type: text/plain\n\n#status pending\n\nHello\n"
			"--s\nContent-Type: application/pgp-signature\n\nxx\n--s--\n"
			"--o\nContent-Type: text/plain\n\n#status pending\n\nAlso\n--o--\n";
		struct message *m = message_parse(signed_then_plain, strlen(signed_then_plain), 4096);
		ok(strstr(m->full_text, "Hello") != NULL, "signed, then plain: the engine reads the signed text");
		message_free(m);
		body = commands_strip_body(signed_then_plain, strlen(signed_then_plain), &b, &error);
		ok(body == NULL && error != NULL, "signed, then plain: refused, not the other part stripped (%s)",
		   error ? error : "");
		g_free(error);
	}
	{
		/* Found by tests/fuzz/fuzz_commands: GMime wrote the part header
		 * holding the NUL back without its line end. */
		static const char nul[] =
			"From: bob@example.com\nSubject: x\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
			"--b\nContent-Type: text/plain\0; charset=utf-8\nX-Note: y\n\n#status pending\n\nHello\n--b--\n";
		body = commands_strip_body(nul, sizeof nul - 1, &b, &error);
		ok(body == NULL && error != NULL, "a NUL byte: refused (%s)", error ? error : "");
		g_free(error);
	}
	commands_block_clear(&b);
}

static void test_other_charsets(void)
{
	const char *text = "#status pending\n\nこんにちは\n";
	gsize n = 0;
	char *utf16 = g_convert(text, -1, "UTF-16", "UTF-8", NULL, &n, NULL);
	char *b64 = g_base64_encode((const guchar *)utf16, n);
	char *raw = g_strdup_printf("From: bob@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-16\n"
				    "Content-Transfer-Encoding: base64\n\n%s\n", b64);
	struct rewrite r;

	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL, "utf-16: rewritten");
	is_str(r.plain, "こんにちは\n", "utf-16: converted there and back");
	rewrite_free(&r);
	g_free(raw);
	g_free(b64);
	g_free(utf16);

	raw = g_strdup("From: bob@example.com\nSubject: x\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
		       "#status pending\n\n\x1b$B$3$s$K$A$O\x1b(B\n");
	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL && g_str_has_prefix(body_str(&r), "\x1b$B$3$s$K$A$O\x1b(B\n"), "iso-2022-jp: cut, bytes kept");
	rewrite_free(&r);
	g_free(raw);

	raw = g_strdup("From: bob@example.com\nSubject: x\nContent-Type: text/plain; charset=x-no-such-charset\n\n"
		       "#status pending\n\nna\xefve\n");
	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL && strcmp(body_str(&r), "na\xefve\n") == 0, "unknown charset: bytes as they are");
	rewrite_free(&r);
	g_free(raw);

	raw = g_strdup("From: bob@example.com\nSubject: x\nContent-Type: text/plain; charset=windows-1252\n\n"
		       "\xa0\n#status pending\n\xa0\nHello\n");
	rewrite_run(&r, raw, strlen(raw));
	ok(r.body != NULL && strcmp(body_str(&r), "Hello\n") == 0, "windows-1252 no-break spaces are blank lines");
	rewrite_free(&r);
	g_free(raw);
}

/* ---- hostile input ---- */

static void strip_quietly(const char *raw, size_t len)
{
	struct command_block b;
	char *error = NULL;
	GBytes *body;

	commands_parse("#status pending", &b);
	body = commands_strip_body(raw, len, &b, &error);
	if (body)
		g_bytes_unref(body);
	g_free(error);
	commands_block_clear(&b);
}

static void test_garbage(void)
{
	static const char *const samples[] = {
		"",
		"\n\n\n",
		"no headers at all, #status pending",
		"From: x\n\n#status pending\n\xff\xfe\x00\x01 junk",
		"Content-Type: multipart/mixed; boundary=\"a\"\n\n--a\nContent-Type: text/plain\n\n#status pending\nno end",
		"Content-Type: multipart/alternative; boundary=\"a\"\n\n--a\nContent-Type: text/html\n\n<div>#status pending</div><div",
		"Content-Type: text/html\n\n<div>#status pending</div><!-- never closed",
		"Content-Type: text/html\n\n<div title=\"never closed>#status pending</div>Hello",
		"Content-Type: text/html\n\n<style>#status pending</div>",
		"Content-Type: text/html\n\n</b></i></div></p><p>#status pending</span></div>Hi",
		"Content-Type: text/html\n\n<p>#status pending&#xFFFFFFFFFF;&#0;&#;&#x;&amp</p>Hi",
		"Content-Type: text/html\n\n<head><div>#status pending</div>",
		"Content-Type: text/html\n\n<pre>#status pending\n",
		"Content-Type: text/html\n\n<\x01#status pending<",
		"Content-Type: text/plain; charset=utf-16\n\n\xff",
		"Content-Type: text/plain; charset=utf-7\n\n#status pending\nHi +AGUA-\n",
		"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!####\n",
		"Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n#status=\n pending=XX=\n",
		"Content-Type: message/rfc822\n\nFrom: a\n\n#status pending\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(samples); i++)
		strip_quietly(samples[i], strlen(samples[i]));
	strip_quietly("From: a\n\n#status pending\n\0\0\0Hi", 30);
	ok(true, "%zu garbage samples survived", G_N_ELEMENTS(samples) + 1);

	{
		/* Mutations of whole messages: flipped bytes, cuts, inserted
		 * markup and MIME characters; deterministic so that a failure
		 * repeats.  TM_FUZZ_RUNS=100000 runs longer. */
		const char *env = g_getenv("TM_FUZZ_RUNS");
		int total = env ? atoi(env) : 1500, runs = 0;
		GRand *rand = g_rand_new_with_seed(20260302);
		const char *htmls[] = { thunderbird_html, gmail_html, outlook_html_qp,
					"<p>#status pending<br>#tier vip</p><pre>#x\n</pre><div>Hi</div>" };
		GPtrArray *seeds = g_ptr_array_new_with_free_func(g_free);

		g_ptr_array_add(seeds, g_strdup(plain_only));
		for (size_t i = 0; i < G_N_ELEMENTS(htmls); i++) {
			g_ptr_array_add(seeds, g_strdup_printf("Content-Type: text/html; charset=iso-8859-1\n\n%s", htmls[i]));
			g_ptr_array_add(seeds, g_strdup_printf(
				"Content-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n"
				"#status pending\r\nHi\r\n--x\r\nContent-Type: text/html\r\n"
				"Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n--x--\r\n", htmls[i]));
			g_ptr_array_add(seeds, g_strdup_printf(
				"Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/related; boundary=r\n\n"
				"--r\nContent-Type: text/html; charset=utf-16\n\n%s\n--r\nContent-Type: image/png\n"
				"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n--m--\n", htmls[i]));
		}
		for (int i = 0; i < total; i++) {
			GString *m = g_string_new(g_ptr_array_index(seeds, (guint)i % seeds->len));
			struct command_block b;
			static const char alphabet[] = "<>/!-\"'&#;=:\n\r \x00\xa0\xc2\xffpdivbr-x";

			for (int k = g_rand_int_range(rand, 1, 12); k > 0; k--) {
				guint pos = (guint)g_rand_int_range(rand, 0, (gint32)m->len);
				switch (g_rand_int_range(rand, 0, 4)) {
				case 0:
					m->str[pos] = alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)];
					break;
				case 1:
					g_string_insert_c(m, pos, alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)]);
					break;
				case 2:
					m->str[pos] = (char)g_rand_int_range(rand, 0, 256);
					break;
				default:
					g_string_truncate(m, pos + 1);
					break;
				}
			}
			strip_quietly(m->str, m->len);
			commands_parse(m->str, &b);
			commands_block_clear(&b);
			runs++;
			g_string_free(m, TRUE);
		}
		g_ptr_array_free(seeds, TRUE);
		g_rand_free(rand);
		is_int(runs, total, "mutated messages survived");
	}
}

static void test_bounded_work(void)
{
	GString *raw = g_string_new("Content-Type: text/html\n\n");
	gint64 start;
	struct rewrite r;

	/* Blank paragraphs before the commands, and quadratic bait: stray
	 * closing tags and unclosed ones. */
	for (int i = 0; i < 40000; i++)
		g_string_append(raw, "<b></i><p>&nbsp;");
	g_string_append(raw, "#status pending<br>Hi");
	start = g_get_monotonic_time();
	rewrite_with(&r, raw->str, raw->len, "#status pending");
	ok(r.body != NULL && !contains(body_str(&r), "#status") && g_str_has_suffix(body_str(&r), "Hi"),
	   "hostile html: stripped");
	ok(g_get_monotonic_time() - start < 20 * G_USEC_PER_SEC, "hostile html: in %.2f s",
	   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);
	rewrite_free(&r);

	/* Past the token limit the message is refused, not half-read. */
	g_string_assign(raw, "Content-Type: text/html\n\n");
	for (int i = 0; i < 60000; i++)
		g_string_append(raw, "<b></i><p>&nbsp;");
	g_string_append(raw, "#status pending<br>Hi");
	start = g_get_monotonic_time();
	rewrite_with(&r, raw->str, raw->len, "#status pending");
	ok(r.body == NULL && r.error != NULL, "hostile html past the token limit: refused (%s)", r.error ? r.error : "");
	ok(g_get_monotonic_time() - start < 20 * G_USEC_PER_SEC, "hostile html past the limit: in %.2f s",
	   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);
	rewrite_free(&r);

	g_string_assign(raw, "Content-Type: text/plain\n\n");
	for (int i = 0; i < 1000000; i++)
		g_string_append(raw, " \n");
	g_string_append(raw, "#status pending\nHi\n");
	start = g_get_monotonic_time();
	rewrite_with(&r, raw->str, raw->len, "#status pending");
	is_str(body_str(&r), "Hi\n", "a million blank lines before the commands");
	ok(g_get_monotonic_time() - start < 20 * G_USEC_PER_SEC, "plain: in %.2f s",
	   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);
	rewrite_free(&r);
	g_string_free(raw, TRUE);
}

/* commands_strip_spool on a spool kept in a file (memory_max 0). */
static GBytes *strip_spooled(const GString *raw, size_t store_max, const char *block_text, char **error)
{
	struct spool *sp = spool_new(g_get_tmp_dir(), 0, store_max);
	struct command_block block;
	GBytes *body;

	commands_parse(block_text, &block);
	spool_append(sp, raw->str, raw->len, error);
	body = commands_strip_spool(sp, NULL, &block, error);
	commands_block_clear(&block);
	spool_free(sp);
	return body;
}

static bool same_as_in_memory(const GString *raw, GBytes *spooled, const char *block_text)
{
	struct command_block block;
	char *error = NULL;
	GBytes *mem;
	bool same;

	commands_parse(block_text, &block);
	mem = commands_strip_body(raw->str, raw->len, &block, &error);
	same = mem && spooled && g_bytes_equal(mem, spooled);
	if (mem)
		g_bytes_unref(mem);
	commands_block_clear(&block);
	g_free(error);
	return same;
}

/* Big replies spooled to a file: the same rewrite, in bounded memory. */
static void test_spooled(void)
{
	GString *raw = g_string_new("From: bob@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
				    "Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n--M\r\n"
				    "Content-Type: multipart/alternative; boundary=\"A\"\r\n\r\n--A\r\n"
				    "Content-Type: text/plain; charset=utf-8\r\n\r\n#status pending\r\n\r\nHello Anna\r\n"
				    "--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
				    "<div>#status pending</div><div><br></div><div>Hello Anna</div>\r\n--A--\r\n--M\r\n"
				    "Content-Type: application/octet-stream; name=\"log.bin\"\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n");
	char *error = NULL;
	GBytes *body;
	gsize n;

	for (int i = 0; i < 40000; i++)
		g_string_append(raw, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n");
	g_string_append(raw, "--M--\r\n");
	body = strip_spooled(raw, 0, "#status pending", &error);
	ok(body && error == NULL && !g_strstr_len(g_bytes_get_data(body, &n), 4096, "#status"),
	   "3 MB reply in a file: commands removed (%s)", error ? error : "ok");
	ok(same_as_in_memory(raw, body, "#status pending"), "the same bytes as the rewrite in memory, CRLF kept");
	if (body)
		g_bytes_unref(body);

	/* A 3 MB text part: read through a window, the rest copied. */
	g_string_assign(raw, "From: bob@example.com\nSubject: big text\nContent-Type: text/plain; charset=utf-8\n"
			"Content-Transfer-Encoding: quoted-printable\n\n#priority urgent\n\nHello=20Anna\n");
	for (int i = 0; i < 60000; i++)
		g_string_append(raw, "A long log line that goes on and on, quoted-printable: caf=C3=A9\n");
	body = strip_spooled(raw, 0, "#priority urgent", &error);
	ok(body && error == NULL, "3 MB text part: rewritten (%s)", error ? error : "ok");
	ok(same_as_in_memory(raw, body, "#priority urgent"), "3 MB text part: the same as in memory");
	if (body)
		g_bytes_unref(body);

	/* The block must end within the window of a big part. */
	g_string_assign(raw, "From: bob@example.com\nSubject: blank\nContent-Type: text/plain\n\n");
	for (int i = 0; i < 1200000; i++)
		g_string_append(raw, " \n");
	g_string_append(raw, "#status pending\nHi\n");
	body = strip_spooled(raw, 0, "#status pending", &error);
	ok(body == NULL && error && strstr(error, "does not end within"), "2.4 MB of blank lines first: refused (%s)",
	   error ? error : "");
	g_clear_pointer(&error, g_free);

	/* A spool that kept only the start cannot be rewritten. */
	g_string_assign(raw, "From: bob@example.com\nSubject: cut\n\n#status pending\n\nHi\n");
	body = strip_spooled(raw, 20, "#status pending", &error);
	ok(body == NULL && error && strstr(error, "max-message-size"), "a spool past max-message-size: refused (%s)",
	   error ? error : "");
	g_free(error);
	g_string_free(raw, TRUE);
}

int main(void)
{
	/* A GLib critical means a library was misused: fail loudly. */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	g_mime_init();
	test_line_kind();
	test_each_command();
	test_validation();
	test_unknown_and_case();
	test_block_edges();
	test_plain();
	test_named_text_part();
	test_read_as_parsed();
	test_qp_latin1();
	test_base64_utf8();
	test_alternative_thunderbird();
	test_alternative_outlook();
	test_alternative_gmail();
	test_html_styles();
	test_mixed_attachment();
	test_related_image();
	test_no_commands();
	test_crlf();
	test_deep_nesting();
	test_refusals();
	test_other_charsets();
	test_garbage();
	test_bounded_work();
	test_spooled();
	g_mime_shutdown();
	return tap_done();
}
