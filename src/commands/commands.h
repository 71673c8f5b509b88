/*
 * commands.h - the commands an agent writes at the top of a reply, and
 * the reply rewritten without them for the customer.
 *
 * An agent answers a ticket from any mail client and steers it with
 * lines at the very top of the body:
 *
 *     #status pending
 *     #assign bob@example.com
 *
 *     Hello Mrs Smith, ...
 *
 * What counts as a command line (commands_line_kind):
 *   - after optional white space (spaces, tabs, no-break and zero-width
 *     spaces, a byte-order mark), '#' and then a command word, followed
 *     by the end of the line, white space or ':';
 *   - a command word is one of the words below, in any case, or a slip
 *     of one: a word of COMMANDS_TYPO_MIN or more ASCII letters one edit
 *     away from one of them (a letter added, missing or wrong, or two
 *     neighbours swapped: "#stauts", "#priorty", "#asign", "#ntoe").
 *     A slip is read as a command not understood: removed from the
 *     customer's copy and reported to the agent, because the customer
 *     reading "#stauts pending" is worse than the agent reading it back;
 *     a slip of #note also makes the mail a note, which never reaches
 *     the customer;
 *   - any other line is text, and so is any other word after '#': "#1
 *     Unplug the printer", "#2 ...", "#thanks for waiting", "#tie",
 *     "#hashtag-tastic", "# Heading" and "##status" are the agent's
 *     text for the customer.
 * The command block: leading blank lines are skipped; then command lines
 * and blank lines, up to the first line that is neither.  Blank lines
 * between commands do not end the block, because HTML mail turns every
 * <p> into a paragraph with a blank line around it.  The first line of
 * text ends it: a '#' line after it, such as the "#2" of a numbered list
 * or "#status" in quoted history, is text.  The parser, the stripper
 * (text, and HTML as a reader sees it, <pre> included) and the engine's
 * test for a reply of commands only (commands_after_block) all read
 * lines by this one rule.
 *
 * Commands (the word in any case; arguments checked and normalized):
 *   #status   new | open | pending | resolved | closed   (lower case)
 *   #priority low | normal | high | urgent               (lower case)
 *   #tier     vip | standard                             (lower case)
 *   #assign   a mailbox address, with or without <>      (lower case)
 *   #lang     a locale: de, pt-BR, zh-Hant-TW, pt_br     ("pt-BR")
 *   #tz       an IANA zone GLib can load: Europe/Berlin  (as written)
 *   #merge    TAG-NUMBER, with or without []             ("SUP-1040")
 *   #cc       a mailbox to add to the ticket's participants, or one to
 *             remove with a '-' before it: "dave@example.net",
 *             "-dave@example.net"                        (lower case)
 *   #problem  links the ticket to a known problem of its queue, named
 *             by a short slug (commands_problem_name): "printer-firmware";
 *             "-printer-firmware" unlinks it, "none" unlinks every one
 *                                                        (lower case)
 *   #note     the reply is an internal note; any text after the word is
 *             kept as its argument (a note must never reach the
 *             customer, so "#note call back Monday" is a note too).
 * #tz takes IANA names only (each part starting with an upper-case
 * letter, as in the tz database): GLib also takes offsets ("+01:00") and
 * POSIX rules ("ABC5"), which are refused here.
 * Every command but #note takes exactly one word.  A command line with a
 * slip of a word or a bad argument goes to `unknown`, so that the agent
 * can be told; it is removed from the customer's copy all the same.
 *
 * Stripping (commands_strip_body) removes the block, and the blank lines
 * right after it, from the body's first text/plain and first text/html
 * part: the top of the body in each form the client sent.  Attachments
 * (a disposition of attachment: the rule message_parse() uses to pick
 * the text the commands are read from), forwarded messages and later
 * text parts are left alone, as is everything after the block.
 * In HTML the same lines are found in the text as a reader sees it
 * (<br> and block elements end lines, entities decoded); their text and
 * <br> are removed and then the elements left empty by that (a <div>,
 * <p>, <span>, Outlook's <o:p>...), never anything else.
 *
 * Ownership: everything in a struct command_block belongs to it and is
 * released by commands_block_clear(); commands_strip_body() returns a new
 * GBytes (g_bytes_unref) and a new error string (g_free).  GLib
 * allocation aborts rather than returning NULL.
 *
 * Thread safety: no function keeps state between calls; each may run in
 * many threads at once.  commands_strip_body() needs g_mime_init() to
 * have been called once, before any thread started.
 * Room: commands.
 */
#ifndef TM_COMMANDS_H
#define TM_COMMANDS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest word after '#' looked at; a longer word makes the line text. */
#define COMMANDS_WORD_MAX 32
/* Shortest word read as a slip of a command word. */
#define COMMANDS_TYPO_MIN 4
/* Unknown lines are kept up to this many bytes (cut at a character). */
#define COMMANDS_UNKNOWN_MAX 256

struct agent_command {
	char *name;		/* lower case without '#': "status" */
	char *arg;		/* normalized argument; NULL for a bare #note */
};

struct command_block {
	GPtrArray *commands;	/* struct agent_command *, in the order written;
				 * the caller applies them in order, so a
				 * repeated command's last value wins */
	GPtrArray *unknown;	/* char *: each unknown or malformed command
				 * line as written, trimmed, valid UTF-8 */
	bool note;		/* #note: an internal note, not for the customer */
};

enum commands_line_kind {
	COMMANDS_LINE_BLANK,	/* nothing but white space */
	COMMANDS_LINE_COMMAND,	/* a command line (known or not) */
	COMMANDS_LINE_TEXT,	/* anything else: ends the block */
};

/* What one line is, by the rule above.  line is UTF-8 without its line
 * end (a trailing CR is white space); it need not be NUL-terminated. */
enum commands_line_kind commands_line_kind(const char *line, size_t len);

/* Longest problem name (#problem). */
#define COMMANDS_PROBLEM_MAX 40

/* A problem's name: 1 to COMMANDS_PROBLEM_MAX ASCII letters, digits and
 * '-', starting and ending with a letter or digit, and not "none" (which
 * #problem reads as "no problem"): the name lower-cased (g_free), or NULL
 * when word is no such name.  Names are slugs because agents type them
 * in mail and on the command line, and read them back in lists. */
char *commands_problem_name(const char *word);

/* Reads the command block at the top of text (UTF-8; LF or CRLF line
 * ends; invalid UTF-8 is tolerated).  out need not be initialized: it is
 * overwritten, and must be released with commands_block_clear() whatever
 * the result.  Returns the number of command lines (known and unknown),
 * 0 when there are none, -1 when text is NULL. */
int commands_parse(const char *text, struct command_block *out);

/* Where the text after the command block at the top of text starts: its
 * first line of text (by the rule above), or its end when there is none;
 * a pointer into text.  Blank text after it means the text held nothing
 * but commands. */
const char *commands_after_block(const char *text);

/* Frees what the block holds and leaves it empty (NULL arrays); safe to
 * call twice and on a zeroed struct. */
void commands_block_clear(struct command_block *block);

/* True when the block holds no command line at all. */
bool commands_block_is_empty(const struct command_block *block);

/* The new body of the raw RFC 5322 message (headers and body, LF or CRLF
 * line ends, len bytes, need not be NUL-terminated) with the command
 * block removed from its text: everything after the header block, as
 * smfi_replacebody() wants it.  The top-level headers stay as they are,
 * so the new body keeps the top-level boundary and transfer encoding;
 * other parts are copied unchanged, and each rewritten text part keeps
 * its charset and transfer encoding.  Line ends follow the input's.
 *
 * Returns NULL when nothing needs to change: the block is empty, or
 * neither body text part starts with command lines.  Returns NULL and
 * sets *error (when error is not NULL; g_free) when the message cannot
 * be rewritten: it does not parse, its top-level multipart has no
 * boundary (GMime would invent one the headers do not name), it holds a
 * NUL byte (GMime would write a header holding one back broken), its body
 * is signed or encrypted (rewriting would break the signature), a text
 * part does not convert to or from its charset, or an HTML part holds
 * more than 200000 tags before its first line of text.  The caller then
 * decides whether the reply may go out as it is. */
GBytes *commands_strip_body(const char *raw, size_t len, const struct command_block *block,
			    char **error);

struct spool;

/* The same for a message spooled by the milter (spool.h), with bounded
 * memory: the parts stay in the spool's file, a text part over 1 MiB is
 * decoded to a scratch file in dir and its command block must end
 * within its first 1 MiB (else *error), and the new body of a message
 * in a file is written to a scratch file and returned mapped.  A spool
 * that did not keep the whole message (max-message-size) cannot be
 * rewritten: NULL and *error.  dir NULL: the system's temporary
 * directory. */
GBytes *commands_strip_spool(struct spool *sp, const char *dir, const struct command_block *block,
			     char **error);

#endif
