/*
 * charset_guess.c - the charset of unlabelled 8-bit text (charset_guess.h).
 *
 * Scores are per 8-bit byte of the text, from -1 (no one writes this)
 * to 1 (what people write), so that a subject of five characters and a
 * body of five hundred are weighed alike.
 * Room: text.
 */
#include "config.h"
#include "text/charset_guess.h"
#include "text/charset_freq.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unicode/ucsdet.h>

enum scorer { S_LETTERS, S_GBK, S_BIG5, S_SJIS, S_EUCJP, S_EUCKR };

/* The candidates in the order ties go; "detected" ones only when ucsdet
 * names them with some confidence. */
static const struct candidate {
	const char *name;	/* what charset_read() is given */
	const char *reader;	/* the iconv converter it reads with */
	enum scorer scorer;
	bool detected;
	const char *icu[2];	/* ucsdet's names for it */
} candidates[] = {
	{ "windows-1252", "WINDOWS-1252", S_LETTERS, false, { "ISO-8859-1", "windows-1252" } },
	{ "iso-8859-2", "ISO-8859-2", S_LETTERS, false, { "ISO-8859-2", NULL } },
	{ "windows-1250", "WINDOWS-1250", S_LETTERS, false, { "windows-1250", NULL } },
	{ "windows-1251", "WINDOWS-1251", S_LETTERS, false, { "windows-1251", NULL } },
	{ "koi8-r", "KOI8-R", S_LETTERS, false, { "KOI8-R", NULL } },
	{ "gbk", "GB18030", S_GBK, false, { "GB18030", NULL } },
	{ "shift_jis", "CP932", S_SJIS, false, { "Shift_JIS", NULL } },
	{ "big5", "CP950", S_BIG5, false, { "Big5", NULL } },
	{ "euc-kr", "CP949", S_EUCKR, false, { "EUC-KR", NULL } },
	{ "euc-jp", "EUC-JP-MS", S_EUCJP, false, { "EUC-JP", NULL } },
	{ "windows-1254", "WINDOWS-1254", S_LETTERS, true, { "ISO-8859-9", "windows-1254" } },
	{ "iso-8859-7", "ISO-8859-7", S_LETTERS, true, { "ISO-8859-7", NULL } },
	{ "windows-1253", "WINDOWS-1253", S_LETTERS, true, { "windows-1253", NULL } },
	{ "windows-1255", "WINDOWS-1255", S_LETTERS, true, { "ISO-8859-8", "windows-1255" } },
	{ "windows-1256", "WINDOWS-1256", S_LETTERS, true, { "ISO-8859-6", "windows-1256" } },
	{ "iso-8859-5", "ISO-8859-5", S_LETTERS, true, { "ISO-8859-5", NULL } },
};
#define N_CANDIDATES G_N_ELEMENTS(candidates)

/* Labels scored as one of the candidates' kinds (for plausibility). */
static const struct {
	const char *name, *reader;
	enum scorer scorer;
} label_scorers[] = {
	{ "gb2312", "GB18030", S_GBK }, { "gbk", "GB18030", S_GBK }, { "gb18030", "GB18030", S_GBK },
	{ "big5", "CP950", S_BIG5 }, { "cp950", "CP950", S_BIG5 }, { "big5-hkscs", "BIG5-HKSCS", S_BIG5 },
	{ "shift_jis", "CP932", S_SJIS }, { "cp932", "CP932", S_SJIS },
	{ "euc-jp", "EUC-JP-MS", S_EUCJP },
	{ "euc-kr", "CP949", S_EUCKR }, { "cp949", "CP949", S_EUCKR },
	{ "iso-8859-1", "WINDOWS-1252", S_LETTERS },
};

/* Confidence of ucsdet needed for a "detected" candidate. */
#define DETECTED_MIN 40
/* How far below the best a label may read and still be taken. */
#define PLAUSIBLE_MARGIN 0.3

static size_t count_8bit(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += (unsigned char)s[i] >= 0x80;
	return n;
}

/* The text strictly in reader: NULL when a byte sequence is not in it. */
static char *decode_strict(const char *reader, const char *s, size_t len)
{
	GError *error = NULL;
	char *out = g_convert(s, (gssize)len, "UTF-8", reader, NULL, NULL, &error);

	if (error) {
		g_error_free(error);
		g_free(out);
		return NULL;
	}
	return out;
}

/* ---- the East Asian charsets: where the characters lie ---- */

static bool in(unsigned char c, unsigned lo, unsigned hi)
{
	return c >= lo && c <= hi;
}

/* Quality of one double-byte character (l, t) in each charset. */
static double q_gbk(unsigned char l, unsigned char t)
{
	if (!in(t, 0xA1, 0xFE))
		return -0.5;	/* GBK's extension rows: rare hanzi */
	if (l == 0xA1 || l == 0xA3)
		return 1;	/* punctuation, full-width forms */
	if (in(l, 0xB0, 0xD7))
		return 1;	/* GB2312 level 1: the common hanzi */
	if (in(l, 0xD8, 0xF7))
		return 0.3;	/* level 2 */
	if (l == 0xA2 || l == 0xA4 || l == 0xA5)
		return 0;	/* numbers, kana */
	if (in(l, 0xA6, 0xA9))
		return -0.5;	/* Greek, Cyrillic, pinyin, box drawing */
	return -1;		/* user-defined */
}

static double q_big5(unsigned char l, unsigned char t)
{
	unsigned code = (unsigned)l << 8 | t;

	if (l == 0xA1)
		return 1;	/* punctuation */
	if (code >= 0xA440 && code <= 0xC67E)
		return 1;	/* level 1: the common hanzi */
	if (code >= 0xC940 && code <= 0xF9D5)
		return 0.3;	/* level 2 */
	if (in(l, 0xA2, 0xA3))
		return -0.3;	/* symbols, bopomofo */
	return -1;		/* reserved, user-defined, extensions */
}

static double q_sjis(unsigned char l, unsigned char t)
{
	unsigned code = (unsigned)l << 8 | t;

	if (l == 0x81)
		return t <= 0xAC ? 1 : 0;	/* punctuation, symbols */
	if (l == 0x82)
		return t >= 0x9F ? 1 : 0.3;	/* hiragana; full-width digits, letters */
	if (l == 0x83)
		return t <= 0x96 ? 1 : -0.3;	/* katakana; Greek */
	if (code >= 0x889F && code <= 0x9872)
		return 1;	/* JIS level 1 kanji */
	if (code >= 0x989F && code <= 0xEAA4)
		return 0.3;	/* level 2 */
	if (l == 0x87)
		return 0.3;	/* NEC row 13: ①, ㈱ */
	if (in(l, 0xED, 0xEE) || in(l, 0xFA, 0xFC))
		return 0;	/* IBM extensions */
	return -1;
}

static double q_eucjp(unsigned char l, unsigned char t)
{
	(void)t;
	if (l == 0xA1 || l == 0xA4 || l == 0xA5)
		return 1;	/* punctuation, hiragana, katakana */
	if (in(l, 0xB0, 0xCF))
		return 1;	/* level 1 kanji */
	if (in(l, 0xD0, 0xF4))
		return 0.3;
	if (l == 0xA3 || l == 0xAD)
		return 0.3;	/* full-width letters, NEC row 13 */
	if (l == 0xA2)
		return 0;
	return -0.5;
}

static double q_euckr(unsigned char l, unsigned char t)
{
	if (!in(t, 0xA1, 0xFE))
		return -0.3;	/* UHC's extended hangul: rare syllables */
	if (in(l, 0xB0, 0xC8))
		return 1;	/* KS X 1001 hangul */
	if (l == 0xA1)
		return 0.7;
	if (in(l, 0xCA, 0xFD))
		return 0;	/* hanja */
	if (l == 0xA3)
		return 0.3;
	if (l == 0xA2 || l == 0xA4)
		return 0;
	return -0.5;
}

/* What the character the reading gave adds: the common characters of
 * the language the charset writes (charset_freq.h), kana for Japanese. */
static double common_bonus(enum scorer sc, gunichar u)
{
	switch (sc) {
	case S_GBK:
		return charset_freq_common(FREQ_HANS, u) ? 0.5 : 0;
	case S_BIG5:
		return charset_freq_common(FREQ_HANT, u) ? 0.5 : 0;
	case S_EUCKR:
		return charset_freq_common(FREQ_HANGUL, u) ? 0.5 : 0;
	default:
		if (u >= 0x3041 && u <= 0x30FE)
			return 0.5;
		return charset_freq_common(FREQ_HANS, u) || charset_freq_common(FREQ_HANT, u) ? 0.3 : 0;
	}
}

static double quality(enum scorer sc, unsigned char c, unsigned char t)
{
	switch (sc) {
	case S_GBK:
		return q_gbk(c, t);
	case S_BIG5:
		return q_big5(c, t);
	case S_SJIS:
		return q_sjis(c, t);
	case S_EUCJP:
		return q_eucjp(c, t);
	default:
		return q_euckr(c, t);
	}
}

/* Walks the bytes as the charset cuts them into characters, and the
 * reading (utf8) beside them, one character for each; the text has
 * been read by its converter, so every sequence is whole. */
static double score_double_byte(enum scorer sc, const unsigned char *s, size_t len, const char *utf8, bool labelled)
{
	/* Half-width kana are rare in mail, but believable where the
	 * message says it is Japanese. */
	double halfwidth = labelled ? 0.5 : -1;

	double total = 0;
	size_t i = 0;
	const char *u = utf8;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char t = i + 1 < len ? s[i + 1] : 0;
		gunichar uc = *u ? g_utf8_get_char(u) : 0;

		if (*u)
			u = g_utf8_next_char(u);
		if (c < 0x80) {
			i++;
		} else if (sc == S_SJIS && in(c, 0xA1, 0xDF)) {
			total += halfwidth;
			i++;
		} else if (sc == S_EUCJP && c == 0x8E) {
			total += 2 * halfwidth;
			i += 2;
		} else if (sc == S_EUCJP && c == 0x8F) {
			total -= 1.5;	/* JIS X 0212 */
			i += 3;
		} else if (sc == S_GBK && in(t, 0x30, 0x39)) {
			total -= 4;	/* GB18030's four-byte forms */
			i += 4;
		} else {
			double q = quality(sc, c, t) + (uc ? common_bonus(sc, uc) : 0);
			/* Worth as many bytes of the text as it takes of them. */
			total += q * (t >= 0x80 ? 2 : 1);
			i += 2;
		}
	}
	return total;
}

/* Korean puts spaces between words, Chinese and Japanese do not: an
 * ASCII space (after ASCII punctuation or not) between two 8-bit
 * characters. */
static bool spaced(const char *s, size_t len)
{
	for (size_t i = 2; i + 1 < len; i++) {
		size_t before = i - 1;
		if (s[i] != ' ' || (unsigned char)s[i + 1] < 0x80)
			continue;
		if (strchr(",.:;!?", s[before]) && s[before] != '\0')
			before--;
		if ((unsigned char)s[before] >= 0x80)
			return true;
	}
	return false;
}

/* ---- the others: their letters ---- */

static bool common_symbol(gunichar c)
{
	static const gunichar ok[] = {
		0x00A0, 0x00AB, 0x00BB, 0x2039, 0x203A, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A,
		0x2013, 0x2014, 0x2026, 0x2022, 0x00B7, 0x20AC, 0x00A3, 0x00A5, 0x00B0, 0x00A7, 0x00A9,
		0x00AE, 0x2122, 0x00A1, 0x00BF, 0x00A2, 0x2116,
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++)
		if (ok[i] == c)
			return true;
	return false;
}

struct word {
	unsigned ascii, latin8, other;	/* letters */
	GUnicodeScript script;		/* of the non-ASCII letters */
	bool mixed;			/* of more than one script */
	unsigned upper, lower;
	bool upper_inside;		/* a capital after a small letter */
	bool first_upper;
};

/* The score of the non-ASCII letters of a finished word. */
static double word_score(const struct word *w)
{
	unsigned n8 = w->latin8 + w->other;

	if (n8 == 0)
		return 0;
	/* "Grьѓe": scripts within a word; "żDónde": a capital inside one. */
	if (w->mixed || (w->other > 0 && w->ascii > 0) || w->upper_inside)
		return -1.0 * n8;
	if (w->latin8 > 0)
		return w->ascii >= w->latin8 || w->ascii + w->latin8 <= 2 ? n8 : -0.5 * n8;
	/* Cased scripts: small letters, an initial capital, or all capitals
	 * (a capital alone is rarely a word). */
	if (w->upper == 1 && w->lower == 0 && n8 == 1)
		return 0.3;
	if (w->upper > 0 && w->lower > 0 && !(w->first_upper && w->upper == 1))
		return -0.5 * n8;
	return w->lower > 0 || w->upper <= 1 ? 1.0 * n8 : 0.5 * n8;
}

static double score_letters(const char *utf8)
{
	struct word w = { 0 };
	double total = 0;
	bool in_word = false, after_letter = false;

	for (const char *p = utf8;; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		bool was_letter = after_letter;

		after_letter = c != 0 && g_unichar_isalpha(c);

		if (c != 0 && g_unichar_isalpha(c)) {
			GUnicodeScript sc = g_unichar_get_script(c);
			if (!in_word) {
				memset(&w, 0, sizeof w);
				in_word = true;
				w.first_upper = g_unichar_isupper(c);
			}
			if (c < 0x80) {
				w.ascii++;
			} else {
				if (w.latin8 + w.other > 0 && sc != w.script)
					w.mixed = true;
				w.script = sc;
				if (sc == G_UNICODE_SCRIPT_LATIN)
					w.latin8++;
				else
					w.other++;
			}
			if (g_unichar_isupper(c)) {
				if (w.lower > 0)
					w.upper_inside = true;
				w.upper++;
			} else if (g_unichar_islower(c)) {
				w.lower++;
			}
			continue;
		}
		if (in_word) {
			total += word_score(&w);
			in_word = false;
		}
		if (c == 0)
			break;
		if (c < 0x80)
			continue;
		/* A symbol between two letters: "Za¿ó³æ" is Polish misread. */
		if (was_letter && g_unichar_isalpha(g_utf8_get_char(g_utf8_next_char(p))))
			total -= 1;
		if (common_symbol(c))
			continue;
		if ((c >= 0x80 && c < 0xA0) || c == 0xFFFD || g_unichar_type(c) == G_UNICODE_PRIVATE_USE ||
		    g_unichar_type(c) == G_UNICODE_UNASSIGNED)
			total -= 2;
		else
			total -= 1;	/* box drawing, ¤ ¦ ¬ ¯ ¸ ¼ ½ ¾ ... */
	}
	return total;
}

/* ---- scoring ---- */

/* Sum of the scores of the 8-bit bytes of s in the charset; false when
 * the charset does not read s. */
static bool score_in(const char *reader, enum scorer sc, const char *s, size_t len, bool labelled, double *sum)
{
	char *utf8;

	if (count_8bit(s, len) == 0) {
		*sum = 0;
		return true;
	}
	utf8 = decode_strict(reader, s, len);
	if (utf8 == NULL)
		return false;
	*sum = sc == S_LETTERS ? score_letters(utf8) : score_double_byte(sc, (const unsigned char *)s, len, utf8, labelled);
	g_free(utf8);
	return true;
}

/* ucsdet's confidence (0..100) for each candidate, over both texts. */
static void detect(const char *a, size_t alen, const char *b, size_t blen, int *conf)
{
	UErrorCode err = U_ZERO_ERROR;
	UCharsetDetector *det = ucsdet_open(&err);
	GString *all = g_string_new_len(a, (gssize)alen);
	const UCharsetMatch **matches;
	int32_t n = 0;

	if (b)
		g_string_append_len(all, b, (gssize)blen);
	if (U_SUCCESS(err))
		ucsdet_setText(det, all->str, (int32_t)all->len, &err);
	matches = U_SUCCESS(err) ? ucsdet_detectAll(det, &n, &err) : NULL;
	for (int32_t i = 0; matches && i < n; i++) {
		UErrorCode e = U_ZERO_ERROR;
		const char *name = ucsdet_getName(matches[i], &e);
		int32_t c = ucsdet_getConfidence(matches[i], &e);

		for (size_t k = 0; name && U_SUCCESS(e) && k < N_CANDIDATES; k++)
			for (int j = 0; j < 2; j++)
				if (candidates[k].icu[j] && strcmp(candidates[k].icu[j], name) == 0 && c > conf[k])
					conf[k] = c;
	}
	if (det)
		ucsdet_close(det);
	g_string_free(all, TRUE);
}

/* How a candidate reads both texts: the mean score per 8-bit byte. */
static bool candidate_score(const struct candidate *cand, const char *a, size_t alen, const char *b, size_t blen,
			    double *score)
{
	size_t na = count_8bit(a, alen), nb = b ? count_8bit(b, blen) : 0;
	double sa = 0, sb = 0;

	if (!score_in(cand->reader, cand->scorer, a, alen, false, &sa))
		return false;
	/* Other text it cannot read says it is not that text's charset,
	 * or that the other text is in another: a penalty, not a veto. */
	if (nb > 0 && !score_in(cand->reader, cand->scorer, b, blen, false, &sb))
		sb = -0.5 * (double)nb;
	*score = na + nb > 0 ? (sa + sb) / (double)(na + nb) : 0;
	/* Spaces between words: Korean, not Chinese or Japanese. */
	if (cand->scorer != S_LETTERS && (spaced(a, alen) || (b && spaced(b, blen))))
		*score += cand->scorer == S_EUCKR ? 0.25 : -0.25;
	return true;
}

bool charset_guess_iso2022jp(const char *text, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++)
		if (text[i] == '\033' && text[i + 1] == '$' && (text[i + 2] == 'B' || text[i + 2] == '@'))
			return true;
	return false;
}

/* The best candidate and its score; -1 for none. */
static int best_candidate(const char *text, size_t len, const char *more, size_t more_len, double *best_score)
{
	int conf[N_CANDIDATES] = { 0 };
	size_t n8 = count_8bit(text, len) + (more ? count_8bit(more, more_len) : 0);
	/* ucsdet's statistics need a few hundred bytes; a subject gets
	 * little of its say. */
	double weight = 0.8 * MIN(1.0, (double)n8 / 300.0);
	int best = -1;

	detect(text, len, more, more_len, conf);
	for (size_t k = 0; k < N_CANDIDATES; k++) {
		double s;

		if (candidates[k].detected && (conf[k] < DETECTED_MIN || n8 < 20))
			continue;
		if (!candidate_score(&candidates[k], text, len, more, more_len, &s))
			continue;
		/* 10 is what ucsdet says of every charset it has no view on. */
		s += weight * MAX(0, conf[k] - 10) / 90.0;
		if (best < 0 || s > *best_score + 1e-9) {
			best = (int)k;
			*best_score = s;
		}
	}
	return best;
}

const char *charset_guess(const char *text, size_t len, const char *more, size_t more_len)
{
	double score = 0;
	int best;

	len = MIN(len, CHARSET_GUESS_MAX);
	more_len = more ? MIN(more_len, CHARSET_GUESS_MAX) : 0;
	if (count_8bit(text, len) == 0)
		return charset_guess_iso2022jp(text, len) ? "iso-2022-jp" : "us-ascii";
	if (g_utf8_validate_len(text, len, NULL))
		return "utf-8";
	best = best_candidate(text, len, more_len ? more : NULL, more_len, &score);
	return best >= 0 ? candidates[best].name : "windows-1252";
}

bool charset_guess_plausible(const char *name, const char *text, size_t len)
{
	const char *reader = name;
	enum scorer sc = S_LETTERS;
	double best_score = 0, own = 0;
	int best;

	len = MIN(len, CHARSET_GUESS_MAX);
	if (name == NULL)
		return false;
	if (count_8bit(text, len) == 0)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(label_scorers); i++)
		if (g_ascii_strcasecmp(name, label_scorers[i].name) == 0) {
			reader = label_scorers[i].reader;
			sc = label_scorers[i].scorer;
		}
	for (size_t k = 0; k < N_CANDIDATES; k++)
		if (g_ascii_strcasecmp(name, candidates[k].name) == 0) {
			reader = candidates[k].reader;
			sc = candidates[k].scorer;
		}
	if (!score_in(reader, sc, text, len, true, &own))
		return false;
	own /= (double)count_8bit(text, len);
	best = best_candidate(text, len, NULL, 0, &best_score);
	return best < 0 || own >= best_score - PLAUSIBLE_MARGIN;
}
