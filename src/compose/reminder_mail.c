/*
 * reminder_mail.c - the words of a reminder (see reminder_mail.h).
 * Room: compose.
 */
#include "config.h"
#include "compose/reminder_mail.h"
#include "calendar/calendar.h"
#include "calendar/duration_words.h"
#include "compose/assets.h"

#include <gmime/gmime.h>
#include <string.h>

static bool blank(const char *line)
{
	for (; *line; line++)
		if (!g_ascii_isspace(*line))
			return false;
	return true;
}

char *reminder_mail_excerpt(const char *text)
{
	char **lines = g_strsplit(text ? text : "", "\n", -1);
	GString *out = g_string_new(NULL);
	guint first = 0, last = g_strv_length(lines), chars = 0, taken = 0;
	bool cut = false;

	while (first < last && blank(lines[first]))
		first++;
	while (last > first && blank(lines[last - 1]))
		last--;
	for (guint i = first; i < last; i++) {
		const char *line = lines[i];
		glong len = g_utf8_strlen(line, -1);

		if (taken == REMINDER_EXCERPT_LINES || chars >= REMINDER_EXCERPT_CHARS) {
			cut = true;
			break;
		}
		if (chars + (guint)len > REMINDER_EXCERPT_CHARS) {
			char *part = g_utf8_substring(line, 0, REMINDER_EXCERPT_CHARS - chars);
			g_string_append_printf(out, "%s> %s", out->len ? "\n" : "", part);
			g_free(part);
			cut = true;
			break;
		}
		g_string_append_printf(out, "%s>%s%s", out->len ? "\n" : "", blank(line) ? "" : " ", blank(line) ? "" : line);
		chars += (guint)len;
		taken++;
	}
	if (cut)
		g_string_append(out, " …");
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

/* "Anna Customer <anna@example.org>", or the address alone. */
static char *customer_text(const struct reminder_facts *f)
{
	InternetAddress *ia;
	char *text;

	if (f->customer_name == NULL || *f->customer_name == '\0')
		return g_strdup(f->customer_address ? f->customer_address : "");
	/* GMime quotes a name that needs it, as a mail client shows it. */
	ia = internet_address_mailbox_new(f->customer_name, f->customer_address ? f->customer_address : "");
	text = internet_address_to_string(ia, NULL, FALSE);
	g_object_unref(ia);
	return text;
}

char **reminder_mail_vars(const struct settings *s, const struct assets *assets, const char *text_locale,
			  const struct reminder_facts *f, char **promise)
{
	GPtrArray *vars = g_ptr_array_new();
	char *left = NULL, *late = NULL;

	if (f->left_minutes > 0)
		left = duration_words(f->left_minutes, text_locale);
	else if (f->left_minutes < 0)
		late = duration_words(-f->left_minutes, text_locale);
	*promise = assets_format_time(assets, s, text_locale, f->due, f->zone ? f->zone : "UTC", 0);
	if (*promise == NULL)
		*promise = promise_format_time(f->due, "en", "UTC", 0);
	if (*promise == NULL)
		*promise = g_strdup("");
	g_ptr_array_add(vars, g_strdup("time_left"));
	g_ptr_array_add(vars, left ? left : g_strdup(""));
	g_ptr_array_add(vars, g_strdup("overdue"));
	g_ptr_array_add(vars, late ? late : g_strdup(""));
	g_ptr_array_add(vars, g_strdup("business"));
	g_ptr_array_add(vars, g_strdup(f->business ? "yes" : ""));
	g_ptr_array_add(vars, g_strdup("resolution"));
	g_ptr_array_add(vars, g_strdup(f->resolution ? "yes" : ""));
	g_ptr_array_add(vars, g_strdup("level"));
	g_ptr_array_add(vars, g_strdup_printf("%d%%", f->level));
	g_ptr_array_add(vars, g_strdup("customer"));
	g_ptr_array_add(vars, customer_text(f));
	g_ptr_array_add(vars, g_strdup("excerpt"));
	g_ptr_array_add(vars, reminder_mail_excerpt(f->excerpt));
	g_ptr_array_add(vars, NULL);
	return (char **)g_ptr_array_free(vars, FALSE);
}
