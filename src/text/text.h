/*
 * text.h - turning message bodies into a short, clean plain-text excerpt.
 *
 * Pure string functions on UTF-8 (no MIME here): HTML to text, removal
 * of quoted reply history and signatures, sanitizing and bounding.
 * Every function returns a newly allocated string (g_free).
 * Room: text.
 */
#ifndef TM_TEXT_H
#define TM_TEXT_H

#include <stddef.h>

/* Valid UTF-8 with CR/LF folded to LF and other control characters
 * (but tab) replaced by spaces.  len may be -1 for NUL-terminated. */
char *text_sanitize(const char *s, long len);

/* Like text_sanitize, but every line break becomes a space too: for
 * subjects, names and ids, which must never carry a header break. */
char *text_one_line(const char *s);

/* Readable text from HTML: tags dropped, block elements to line breaks,
 * entities decoded, <script>, <style>, <head> and <blockquote> skipped. */
char *text_from_html(const char *html);

/* Drops quoted history ("> " lines, "On ... wrote:" and its equivalents
 * in common languages and clients, Outlook's original-message blocks)
 * and the signature after "-- ". */
char *text_trim_reply(const char *text);

/* At most max_bytes, cut at a character boundary, surrounding blank
 * lines removed. */
char *text_bound(const char *text, size_t max_bytes);

/* How many of the len bytes at s hold whole UTF-8 characters: len, less
 * the start of a character that s cuts in two at its end. */
size_t text_whole_chars(const char *s, size_t len);

#endif
