/*
 * lang_script.c - scripts and distinguishing letters (see lang_script.h).
 * GLib names each character's script (UAX #24); the tables below say
 * which languages write them.
 * Room: language.
 */
#include "config.h"
#include "language/lang_script.h"

#include <glib.h>
#include <string.h>

/* Languages written in the script a shortcut stands for.  A queue
 * offering two of one row (Russian and Ukrainian) gets no shortcut: the
 * detectors tell them apart. */
static const struct {
	const char *shortcut;
	const char *languages[18];
} lang_script_writers[] = {
	{ "ru", { "ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "tt", "ba", "cv", "ce", "os", "ab", "sah" } },
	{ "ar", { "ar", "fa", "ur", "ps", "ku", "ckb", "sd", "ug" } },
	{ "ko", { "ko" } },
	{ "ja", { "ja" } },
	{ "zh", { "zh", "yue" } },
};

/* Letters that, among the languages a support queue commonly offers,
 * only one uses.  Not ç (French, Portuguese, Turkish), not å (Swedish,
 * Danish, Norwegian), not ä ö ü (German, Swedish, Turkish...). */
static const struct {
	const char *language;
	const char *letters;	/* lower case, UTF-8 */
} lang_marks_table[] = {
	{ "es", "ñ¿¡" }, { "pt", "ãõ" }, { "pl", "łśźżćńąę" }, { "tr", "ğış" }, { "de", "ß" }, { "fr", "œ" },
};

/* Russian (and Bulgarian) need only А-я and Ё/ё; any other Cyrillic
 * letter (і ї є ґ ў ђ ј љ њ ћ џ ѓ ќ ѕ, Kazakh ә қ...) is another
 * language's. */
static bool lang_cyrillic_beyond_russian(gunichar c)
{
	return c != 0x401 && c != 0x451 && (c < 0x410 || c > 0x44f);
}

/* Arabic needs the letters U+0621-U+064A (and their presentation forms);
 * the rest of the block's letters (پ چ ژ گ ک ی ٹ ڈ ڑ ں ے ھ...) are
 * Persian's, Urdu's, Kurdish's. */
static bool lang_arabic_beyond_arabic(gunichar c)
{
	return (c >= 0x671 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) || (c >= 0x8a0 && c <= 0x8ff);
}

struct lang_census {
	unsigned letters, hangul, kana, han, arabic, cyrillic;
	bool other_cyrillic, other_arabic;
};

static void lang_count_letters(const char *text, size_t len, struct lang_census *c)
{
	const char *end = text + len;

	memset(c, 0, sizeof *c);
	for (const char *p = text; p < end && *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);

		if (!g_unichar_isalpha(ch))
			continue;
		c->letters++;
		switch (g_unichar_get_script(ch)) {
		case G_UNICODE_SCRIPT_HANGUL:
			c->hangul++;
			break;
		case G_UNICODE_SCRIPT_HIRAGANA:
		case G_UNICODE_SCRIPT_KATAKANA:
			c->kana++;
			break;
		case G_UNICODE_SCRIPT_HAN:
			c->han++;
			break;
		case G_UNICODE_SCRIPT_ARABIC:
			c->arabic++;
			c->other_arabic |= lang_arabic_beyond_arabic(ch);
			break;
		case G_UNICODE_SCRIPT_CYRILLIC:
			c->cyrillic++;
			c->other_cyrillic |= lang_cyrillic_beyond_russian(ch);
			break;
		default:
			break;
		}
	}
}

/* At least a quarter of the letters. */
static bool lang_enough(unsigned count, unsigned letters)
{
	return count > 0 && 4 * count >= letters;
}

const char *lang_script_language(const char *text, size_t len)
{
	struct lang_census c;

	if (text == NULL)
		return NULL;
	lang_count_letters(text, len, &c);
	if (lang_enough(c.hangul, c.letters))
		return "ko";
	/* Japanese is kanji and kana; Chinese never uses kana. */
	if (c.kana > 0 && lang_enough(c.kana + c.han, c.letters))
		return "ja";
	if (c.kana == 0 && c.hangul == 0 && lang_enough(c.han, c.letters))
		return "zh";
	if (!c.other_arabic && lang_enough(c.arabic, c.letters))
		return "ar";
	if (!c.other_cyrillic && lang_enough(c.cyrillic, c.letters))
		return "ru";
	return NULL;
}

bool lang_script_shared(const char *shortcut, const char *language)
{
	for (size_t i = 0; i < G_N_ELEMENTS(lang_script_writers); i++) {
		if (strcmp(lang_script_writers[i].shortcut, shortcut) != 0)
			continue;
		for (size_t j = 0; j < G_N_ELEMENTS(lang_script_writers[i].languages); j++)
			if (lang_script_writers[i].languages[j] != NULL &&
			    strcmp(lang_script_writers[i].languages[j], language) == 0)
				return true;
	}
	return false;
}

int lang_script_marks(const char *text, size_t len, const char *languages[LANG_MARKS_MAX])
{
	const char *end = text + len;
	bool found[G_N_ELEMENTS(lang_marks_table)] = { false };
	int count = 0;

	for (const char *p = text; text != NULL && p < end && *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		char letter[8];

		if (ch < 0x80)
			continue;
		/* İ lowers to a plain i, so it is taken before. */
		letter[g_unichar_to_utf8(ch == 0x130 ? 0x131 : g_unichar_tolower(ch), letter)] = '\0';
		for (size_t i = 0; i < G_N_ELEMENTS(lang_marks_table); i++)
			found[i] |= strstr(lang_marks_table[i].letters, letter) != NULL;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(lang_marks_table) && count < LANG_MARKS_MAX; i++)
		if (found[i])
			languages[count++] = lang_marks_table[i].language;
	return count;
}
