/*
 * report_mail.h - a computed report as one mail for its managers (the
 * weekly mail, issue 20).  Room: report.
 *
 * multipart/mixed [ multipart/related [ multipart/alternative [
 * text/plain (report_write_text), text/html (report_write_html_refs) ],
 * image/png per chart (write_png.c) with the Content-ID the HTML's
 * <img src="cid:..."> names ], text/csv attachment (report_write_csv) ].
 * Dates are in the report's locale (params.locale), the labels English,
 * which the mail says when the locale is not English.  It is sent by a
 * robot: Auto-Submitted: auto-generated.
 */
#ifndef TM_REPORT_MAIL_H
#define TM_REPORT_MAIL_H

#include <glib.h>
#include <stdint.h>

#include "report/report.h"

/* A weekly mail larger than this loses its CSV attachment (the text
 * says so), and larger still is not made. */
#define REPORT_MAIL_MAX_BYTES (4 * 1024 * 1024)

struct report_mail_params {
	const char *name;		/* the report's name ([report NAME]) */
	const char *from_name;		/* the queue's support identity; may be NULL */
	const char *from_address;
	const char *const *to;		/* addresses, NULL-terminated */
	const char *message_id;		/* without brackets */
	int64_t date;			/* Date: */
	size_t max_bytes;		/* 0: REPORT_MAIL_MAX_BYTES */
};

/* The whole message (CRLF-free, as the outbox keeps mail), or NULL with
 * *error (g_free). */
GBytes *report_mail_compose(const struct report *r, const struct report_mail_params *p, char **error);

#endif
