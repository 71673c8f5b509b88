/*
 * commands_parse.c - recognising and reading agent command lines
 * (commands.h): the line rule shared with commands_strip.c, and the
 * validation of each command's argument.
 * Room: commands.
 */
#include "config.h"
#include "commands/commands.h"
#include "util/addr.h"
#include "trust/token.h"

#include <string.h>

/* Longest argument word worth validating; longer ones are malformed. */
#define ARG_MAX 254

/* Length of the white-space character at p (0 when there is none).
 * Besides ASCII blanks: U+00A0 and U+3000, which clients and input
 * methods put where the agent typed a space, and U+200B and U+FEFF,
 * which editors leave invisibly at the start of a line. */
static size_t space_len(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);

	if (left == 0)
		return 0;
	if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\v' || *u == '\f')
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (left >= 3 && ((u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x8B) ||
			  (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) ||
			  (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)))
		return 3;
	return 0;
}

static const char *skip_space(const char *p, const char *end)
{
	size_t n;

	while ((n = space_len(p, end)) > 0)
		p += n;
	return p;
}

/* The end of the text without the white space that follows it. */
static const char *trim_end(const char *start, const char *end)
{
	const char *last = start;

	for (const char *p = start; p < end;) {
		size_t n = space_len(p, end);
		if (n > 0) {
			p += n;
		} else {
			p++;
			last = p;
		}
	}
	return last;
}

/* The command words, lower case (commands.h). */
static const char *const known_words[] = {
	"status", "priority", "tier", "assign", "lang", "tz", "merge", "note", "cc", "problem", NULL
};

/* True when a (any case, alen letters) becomes b (lower case) by at most
 * one edit: a letter inserted, removed or replaced, or two neighbours
 * swapped (the restricted Damerau-Levenshtein distance is <= 1).  Linear. */
static bool within_one_edit(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), i = 0;

	if (alen > blen + 1 || blen > alen + 1)
		return false;
	while (i < alen && i < blen && g_ascii_tolower(a[i]) == b[i])
		i++;
	if (i == alen || i == blen)
		return true;	/* equal, or one letter more at the end */
	if (alen == blen) {
		size_t rest = i + 1;
		/* Replaced at i, or i and i + 1 swapped. */
		if (rest < alen && g_ascii_tolower(a[i]) == b[i + 1] && g_ascii_tolower(a[i + 1]) == b[i])
			rest = i + 2;
		return g_ascii_strncasecmp(a + rest, b + rest, alen - rest) == 0;
	}
	/* One letter more in the longer one, at i. */
	return alen > blen ? g_ascii_strncasecmp(a + i + 1, b + i, blen - i) == 0
			   : g_ascii_strncasecmp(a + i, b + i + 1, alen - i) == 0;
}

/* What a command word is: the known word it is (exactly), or the known
 * word it is a slip of (*typo), or NULL for a word of the text. */
static const char *word_meaning(const char *w, size_t len, bool *typo)
{
	*typo = false;
	for (const char *const *k = known_words; *k; k++)
		if (strlen(*k) == len && g_ascii_strncasecmp(w, *k, len) == 0)
			return *k;
	/* Short words are too easily another word: "#tie", "#ccc". */
	if (len < COMMANDS_TYPO_MIN)
		return NULL;
	for (const char *const *k = known_words; *k; k++)
		if (within_one_edit(w, len, *k))
			return (*typo = true), *k;
	return NULL;
}

/* The command word after '#': sets *word_end and *meaning (the known
 * word, see word_meaning); false when the line is no command line.  p
 * points at the first character after the indent. */
static bool command_word(const char *p, const char *end, const char **word_end, const char **meaning,
			 bool *typo)
{
	const char *w;

	if (p == end || *p != '#')
		return false;
	for (w = p + 1; w < end && g_ascii_isalpha(*w); w++)
		if (w - p > COMMANDS_WORD_MAX)
			return false;
	if (w == p + 1)
		return false;
	*word_end = w;
	/* "#1 priority", "#hashtag-tastic", "#tag." are prose. */
	if (!(w == end || *w == ':' || space_len(w, end) > 0))
		return false;
	/* So is any other word: "#thanks for waiting", "#monday". */
	*meaning = word_meaning(p + 1, (size_t)(w - p - 1), typo);
	return *meaning != NULL;
}

enum commands_line_kind commands_line_kind(const char *line, size_t len)
{
	const char *end = line + len;
	const char *p = skip_space(line, end);
	const char *word_end, *meaning;
	bool typo;

	if (p == end)
		return COMMANDS_LINE_BLANK;
	return command_word(p, end, &word_end, &meaning, &typo) ? COMMANDS_LINE_COMMAND : COMMANDS_LINE_TEXT;
}

/* ---- argument validation: each returns the normalized argument or NULL */

static char *one_of(const char *arg, const char *const *values)
{
	for (const char *const *v = values; *v; v++)
		if (g_ascii_strcasecmp(arg, *v) == 0)
			return g_strdup(*v);
	return NULL;
}

static bool dot_atom(const char *s, size_t len)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (s[i] != '.' && !g_ascii_isalnum(s[i]) && strchr(atext, s[i]) == NULL)
			return false;
	}
	return true;
}

/* A host name of at least two labels: letters, digits and inner hyphens. */
static bool host_name(const char *s)
{
	char **labels = g_strsplit(s, ".", -1);
	guint n = g_strv_length(labels);
	bool valid = n >= 2 && strlen(s) <= 253;

	for (guint i = 0; valid && i < n; i++) {
		size_t len = strlen(labels[i]);
		valid = len >= 1 && len <= 63 && labels[i][0] != '-' && labels[i][len - 1] != '-';
		for (size_t j = 0; valid && j < len; j++)
			valid = g_ascii_isalnum(labels[i][j]) || labels[i][j] == '-';
	}
	g_strfreev(labels);
	return valid;
}

static char *valid_mailbox(const char *arg)
{
	char *addr = addr_normalize(arg);
	const char *at;

	/* "bob@example.com" or "<bob@example.com>", nothing around it. */
	if (addr == NULL || strchr(addr, '<') || strchr(addr, '>') || !addr_is_safe(addr))
		goto bad;
	at = strchr(addr, '@');
	if (!dot_atom(addr, (size_t)(at - addr)) || !host_name(at + 1))
		goto bad;
	return addr;
bad:
	g_free(addr);
	return NULL;
}

static bool all_alpha(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalpha(s[i]))
			return false;
	return true;
}

/* "de", "pt-BR", "pt_br", "zh-Hant-TW": a language of two or three
 * letters, an optional script of four, an optional region of two
 * letters or three digits; written back the BCP 47 way. */
static char *valid_locale(const char *arg)
{
	char **sub = g_strsplit_set(arg, "-_", 4);
	guint n = g_strv_length(sub), i = 1;
	GString *out = g_string_new(NULL);
	bool valid = n >= 1 && n <= 3 && (all_alpha(sub[0], 2) || all_alpha(sub[0], 3));

	if (valid)
		for (const char *p = sub[0]; *p; p++)
			g_string_append_c(out, g_ascii_tolower(*p));
	if (valid && i < n && all_alpha(sub[i], 4)) {
		g_string_append_printf(out, "-%c%c%c%c", g_ascii_toupper(sub[i][0]), g_ascii_tolower(sub[i][1]),
				       g_ascii_tolower(sub[i][2]), g_ascii_tolower(sub[i][3]));
		i++;
	}
	if (valid && i < n) {
		const char *r = sub[i++];
		if (all_alpha(r, 2))
			g_string_append_printf(out, "-%c%c", g_ascii_toupper(r[0]), g_ascii_toupper(r[1]));
		else if (strlen(r) == 3 && g_ascii_isdigit(r[0]) && g_ascii_isdigit(r[1]) && g_ascii_isdigit(r[2]))
			g_string_append_printf(out, "-%s", r);
		else
			valid = false;
	}
	valid = valid && i == n;
	g_strfreev(sub);
	return g_string_free(out, !valid);
}

/* A component of a zone name that has digits or a sign: only the few
 * IANA names that have them, so that GLib never reads a POSIX TZ rule
 * ("ABC5") or an offset ("+01:00") as a zone. */
static bool zone_component_with_digits(const char *c, const char *previous)
{
	static const char *const legacy[] = {
		"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "GMT0", "GMT+0", "GMT-0", NULL
	};
	const char *n;

	for (const char *const *l = legacy; *l; l++)
		if (strcmp(c, *l) == 0)
			return previous == NULL;
	if (previous == NULL || strcmp(previous, "Etc") != 0 || strncmp(c, "GMT", 3) != 0)
		return false;
	n = c + 3;
	if (*n == '+' || *n == '-')
		n++;
	return g_ascii_isdigit(n[0]) && (n[1] == '\0' || (g_ascii_isdigit(n[1]) && n[2] == '\0'));
}

/* IANA names: components starting with an upper-case letter, then
 * letters, '_' and '-'.  That also keeps GLib away from the files in
 * the zone directory that are no zones (zone.tab, leapseconds...),
 * which it would try to read and complain about. */
static bool zone_name_shape(const char *arg)
{
	char **parts = g_strsplit(arg, "/", 0);
	guint n = g_strv_length(parts);
	bool valid = n >= 1 && n <= 3 && strlen(arg) <= 64;

	for (guint i = 0; valid && i < n; i++) {
		const char *c = parts[i];
		bool digits = false;
		valid = g_ascii_isupper(c[0]);
		for (const char *p = c; valid && *p; p++) {
			if (g_ascii_isdigit(*p) || *p == '+')
				digits = true;
			else
				valid = g_ascii_isalpha(*p) || *p == '_' || *p == '-';
		}
		if (valid && digits)
			valid = zone_component_with_digits(c, i > 0 ? parts[i - 1] : NULL);
	}
	g_strfreev(parts);
	return valid;
}

static char *valid_zone(const char *arg)
{
	GTimeZone *tz;

	if (!zone_name_shape(arg))
		return NULL;
	tz = g_time_zone_new_identifier(arg);
	if (tz == NULL)
		return NULL;
	g_time_zone_unref(tz);
	return g_strdup(arg);
}

static char *valid_ticket(const char *arg)
{
	struct ticket_ref ref;
	char buf[TOKEN_TAG_MAX + 24];
	size_t len = strlen(arg);
	char *inner;
	bool ok;

	/* "[SUP-1040]" as copied from a subject is fine too. */
	if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']')
		inner = g_strndup(arg + 1, len - 2);
	else
		inner = g_strdup(arg);
	ok = ticket_ref_parse(inner, &ref);
	g_free(inner);
	if (!ok)
		return NULL;
	ticket_ref_format(&ref, buf, sizeof buf);
	return g_strdup(buf);
}

/* "dave@example.net" adds, "-dave@example.net" removes: the mailbox
 * normalized, with its '-'. */
static char *valid_participant(const char *arg)
{
	bool removal = arg[0] == '-';
	char *addr = valid_mailbox(removal ? arg + 1 : arg);
	char *out;

	if (addr == NULL || !removal)
		return addr;
	out = g_strconcat("-", addr, NULL);
	g_free(addr);
	return out;
}

char *commands_problem_name(const char *word)
{
	size_t len = word ? strlen(word) : 0;

	if (len == 0 || len > COMMANDS_PROBLEM_MAX || !g_ascii_isalnum(word[0]) || !g_ascii_isalnum(word[len - 1]))
		return NULL;
	for (const char *p = word; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-')
			return NULL;
	if (g_ascii_strcasecmp(word, "none") == 0)
		return NULL;
	return g_ascii_strdown(word, (gssize)len);
}

/* "printer-firmware" links, "-printer-firmware" unlinks, "none" unlinks
 * every problem: the name lower-cased, with its '-'. */
static char *valid_problem(const char *arg)
{
	bool removal = arg[0] == '-';
	char *name;

	if (g_ascii_strcasecmp(arg, "none") == 0)
		return g_strdup("none");
	name = commands_problem_name(removal ? arg + 1 : arg);
	if (name == NULL || !removal)
		return name;
	{
		char *out = g_strconcat("-", name, NULL);
		g_free(name);
		return out;
	}
}

/* The normalized argument, NULL when malformed or the word is unknown:
 * both go to the block's unknown lines. */
static char *check_argument(const char *name, const char *arg)
{
	static const char *const status[] = { "new", "open", "pending", "resolved", "closed", NULL };
	static const char *const priority[] = { "low", "normal", "high", "urgent", NULL };
	static const char *const tier[] = { "vip", "standard", NULL };

	if (strcmp(name, "status") == 0)
		return one_of(arg, status);
	if (strcmp(name, "priority") == 0)
		return one_of(arg, priority);
	if (strcmp(name, "tier") == 0)
		return one_of(arg, tier);
	if (strcmp(name, "assign") == 0)
		return valid_mailbox(arg);
	if (strcmp(name, "lang") == 0)
		return valid_locale(arg);
	if (strcmp(name, "tz") == 0)
		return valid_zone(arg);
	if (strcmp(name, "merge") == 0)
		return valid_ticket(arg);
	if (strcmp(name, "cc") == 0)
		return valid_participant(arg);
	if (strcmp(name, "problem") == 0)
		return valid_problem(arg);
	return NULL;
}

/* True when s (already trimmed) is one word: no white space inside. */
static bool one_word(const char *s, const char *end)
{
	if (s == end || end - s > ARG_MAX)
		return false;
	for (const char *p = s; p < end; p++)
		if (space_len(p, end) > 0)
			return false;
	return true;
}

static void add_unknown(struct command_block *out, const char *start, const char *end)
{
	char *valid = g_utf8_make_valid(start, end - start);

	if (strlen(valid) > COMMANDS_UNKNOWN_MAX) {
		/* Cut at a character boundary: the notice must stay UTF-8. */
		const char *cut = g_utf8_find_prev_char(valid, valid + COMMANDS_UNKNOWN_MAX + 1);
		valid[cut - valid] = '\0';
	}
	g_ptr_array_add(out->unknown, valid);
}

static void add_command(struct command_block *out, const char *name, char *arg)
{
	struct agent_command *c = g_new0(struct agent_command, 1);

	c->name = g_strdup(name);
	c->arg = arg;
	g_ptr_array_add(out->commands, c);
}

/* One command line (known to be one by commands_line_kind). */
static void parse_line(const char *line, const char *end, struct command_block *out)
{
	const char *start = skip_space(line, end), *word_end, *arg_start, *arg_end, *name;
	char *arg = NULL, *value;
	bool typo;

	end = trim_end(start, end);
	if (!command_word(start, end, &word_end, &name, &typo))
		return;	/* not reached: the caller checked the kind */
	arg_start = word_end < end && *word_end == ':' ? word_end + 1 : word_end;
	arg_start = skip_space(arg_start, end);
	arg_end = end;

	if (strcmp(name, "note") == 0) {
		/* Any text: a note never reaches the customer, and neither
		 * does a reply that looks like one ("#ntoe"): it is held as a
		 * note, and its line reported. */
		out->note = true;
		if (typo)
			add_unknown(out, start, end);
		else
			add_command(out, name,
				    arg_start < arg_end ? g_utf8_make_valid(arg_start, arg_end - arg_start) : NULL);
		return;
	}
	if (!typo && one_word(arg_start, arg_end))
		arg = g_strndup(arg_start, arg_end - arg_start);
	value = arg ? check_argument(name, arg) : NULL;
	if (value)
		add_command(out, name, value);
	else
		add_unknown(out, start, end);
	g_free(arg);
}

static void agent_command_free(gpointer p)
{
	struct agent_command *c = p;

	g_free(c->name);
	g_free(c->arg);
	g_free(c);
}

const char *commands_after_block(const char *text)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);

		if (commands_line_kind(line, (size_t)(end - line)) == COMMANDS_LINE_TEXT)
			return line;
		line = nl ? nl + 1 : end;
	}
	return line;
}

int commands_parse(const char *text, struct command_block *out)
{
	const char *line;

	out->commands = g_ptr_array_new_with_free_func(agent_command_free);
	out->unknown = g_ptr_array_new_with_free_func(g_free);
	out->note = false;
	if (text == NULL)
		return -1;
	for (line = text; *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		enum commands_line_kind kind = commands_line_kind(line, (size_t)(end - line));

		if (kind == COMMANDS_LINE_TEXT)
			break;
		if (kind == COMMANDS_LINE_COMMAND)
			parse_line(line, end, out);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return (int)(out->commands->len + out->unknown->len);
}

void commands_block_clear(struct command_block *block)
{
	if (block->commands)
		g_ptr_array_free(block->commands, TRUE);
	if (block->unknown)
		g_ptr_array_free(block->unknown, TRUE);
	block->commands = NULL;
	block->unknown = NULL;
	block->note = false;
}

bool commands_block_is_empty(const struct command_block *block)
{
	return block == NULL ||
	       ((block->commands == NULL || block->commands->len == 0) &&
		(block->unknown == NULL || block->unknown->len == 0));
}
