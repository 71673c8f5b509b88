/*
 * header_relabel.h - the charset labels of one header field mapped
 * (charset_label.h) before GMime reads the field.  Internal to the
 * engine: mime_scan.c hands GMime the result in place of the field.
 *
 * Where a header field names a charset:
 *   - RFC 2047 encoded words, "=?LABEL?B?...?=" (and "=?LABEL*lang?"),
 *     in any field: GMime decodes them wherever they stand;
 *   - in Content-Type and Content-Disposition, RFC 2231 extended
 *     parameters, "name*=LABEL'lang'..." and "name*0*=LABEL'lang'...".
 * (GMime keeps the charset parameter of a part with the part, and
 * message.c maps it where it is used.)  Everything else is left byte for
 * byte, line ends and folding included.
 * Linear in the length of the field.
 * Room: mime.
 */
#ifndef TM_HEADER_RELABEL_H
#define TM_HEADER_RELABEL_H

#include <glib.h>
#include <stddef.h>

/* field: len bytes of one field as written (its name, the colon, its
 * lines without the last line end).  A new string with every label
 * mapped, or NULL when no label changes. */
GString *header_relabel(const char *field, size_t len);

#endif
