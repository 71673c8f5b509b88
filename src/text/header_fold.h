/*
 * header_fold.h - header values we write, folded for the MTA.
 *
 * Every value the engine adds or changes (header_edits.h) goes through here, so
 * that the MTA never has to break a line itself: Postfix cuts a line
 * over 998 bytes wherever it falls, inside an encoded word too, and the
 * subject arrives broken.  RFC 5322 and 2047, as libmilter takes them:
 *   - the value is folded at the white space between words, by a line
 *     feed before that white space (libmilter's form: the MTA adds the
 *     CR), so that with "Name: " in front no line is over
 *     HEADER_FOLD_WIDTH bytes where a fold point allows it;
 *   - an encoded word over 75 bytes ("=?charset?B?...?=") is written as
 *     several UTF-8 encoded words of at most 75 bytes, which decode to
 *     the same text (white space between encoded words is not text);
 *   - in a Subject, a word that fits no line (8-bit text, or over 998
 *     bytes) becomes UTF-8 encoded words too, the white space next to it
 *     kept inside them where the neighbour is an encoded word;
 *   - never inside an encoded word, a quoted string or <...>; a line
 *     feed or carriage return in the value is a space.
 * The text a reader decodes is unchanged.  Values that fit are returned
 * as they are.
 * Room: text.
 */
#ifndef TM_HEADER_FOLD_H
#define TM_HEADER_FOLD_H

#define HEADER_FOLD_WIDTH 78
#define HEADER_FOLD_LIMIT 998		/* RFC 5322: no line longer, ever */
#define HEADER_FOLD_WORD_MAX 75		/* RFC 2047: the longest encoded word */

/* The value of the field name folded (g_free). */
char *header_fold(const char *name, const char *value);

#endif
