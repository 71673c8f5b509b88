/*
 * lang.h - choosing the language of the customer's acknowledgement.
 *
 * Order (issue "Acknowledge every new ticket"): the customer's stored
 * preference; Content-Language; the language of subject and body detected
 * by a library; a hint from the charset; the sender's country domain; the
 * queue default.  Only locales the queue offers are chosen; a regional
 * locale falls back to its language (pt-BR -> pt) and then to the default.
 *
 * The text is read by two detectors, CLD2 and libexttextcat, with the
 * script and letters only one language uses (lang_read.c).  The reading
 * is either confident (CLD2 is sure and agrees, or the script leaves one
 * offered language) or a guess (short or ambiguous text).  A confident
 * reading outranks the charset and domain hints; a guess does not: it is
 * used only when neither hint names an offered locale, and before the
 * default.  When the detector names a language the queue does not offer,
 * a close neighbour the queue does offer is taken (Norwegian -> Swedish,
 * Galician -> Spanish, Belarusian -> Russian...), because short texts are
 * often misread as a neighbour and because the writer reads the
 * neighbour best.
 *
 * Returned strings are newly allocated (g_free).  All functions except
 * lang_init() are thread-safe (the milter calls them from many connections
 * at once): they keep no state between calls.
 * Room: language.
 */
#ifndef TM_LANG_H
#define TM_LANG_H

struct lang_hints {
	const char *preferred;		/* customer's stored locale, or NULL */
	const char *content_language;	/* Content-Language header value ("de-DE, en"), or NULL */
	const char *subject;		/* decoded UTF-8, or NULL */
	const char *text;		/* body excerpt, quotes and signature removed, or NULL */
	const char *charset;		/* charset label of the text part, or NULL */
	const char *sender_domain;	/* "example.com.tr", or NULL */
};

/* Call once at start-up, before any thread starts: tunes malloc so that
 * the detector's per-call scratch memory is not handed back to the kernel
 * after every message (ten times faster), and reads libexttextcat's
 * fingerprints (else the first message that needs them does).
 * Everything works without it. */
void lang_init(void);

/* One of offered (NULL-terminated list such as {"en","tr","pt-BR",...}),
 * copied, or a copy of default_locale.  hints and offered may be NULL. */
char *lang_choose(const struct lang_hints *hints, char *const *offered, const char *default_locale);

/* The detectors alone: the ISO 639-1 code ("de", "zh", "pt") of UTF-8
 * text, or NULL when unsure (without offered: CLD2's confident answer).  offered, when not NULL, restricts the answer to
 * the languages of those locales (a close neighbour counts: Norwegian text
 * gives "sv" when only Swedish is offered). */
char *lang_detect(const char *text, char *const *offered);

/* The offered locale matching a language tag ("pt-br", "de-AT", "zh_CN"),
 * falling back from region to language; NULL when none.  Case-insensitive.
 * Preference: same script (zh-TW/zh-HK are Traditional), then same region,
 * then the plain language, then another region of it (pt -> pt-BR); ties
 * go to the earlier offered locale. */
char *lang_match_offered(const char *tag, char *const *offered);

#endif
