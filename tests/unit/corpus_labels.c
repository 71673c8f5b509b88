/*
 * corpus_labels.c - the robots of ../shared/corpus by class (see
 * corpus_labels.h).  The first entry whose text the path contains
 * decides; a message no entry names is a bounce when it is
 * multipart/report and a person otherwise.
 */
#include "config.h"
#include "corpus_labels.h"

#include <string.h>

const char *const corpus_class_name[CORPUS_CLASSES] = {
	"people", "bounces", "automatic replies", "lists and bulk mail", "reports", "machine notifications",
	"spam", "ambiguous",
};

struct label {
	const char *path;
	enum corpus_class cls;
	const char *note;
};

#define BP "rjbs-Mail-DeliveryStatus-BounceParser/"
#define MIKEL "mikel-mail/spec/fixtures/emails/"
#define OTOBO "RotherOSS-otobo/scripts/test/sample/"

static const struct label labels[] = {
	/* BounceParser: its README names the automatic replies; spam and a
	 * virus are kept there to show what is NOT a bounce. */
	{ BP "t/corpus/autoreply.msg", CORPUS_AUTOREPLY, NULL },
	{ BP "t/corpus/aol-vacation.msg", CORPUS_AUTOREPLY, NULL },
	{ BP "t/corpus/polish-autoreply.msg", CORPUS_AUTOREPLY, NULL },
	{ BP "t/corpus/warning-6.msg", CORPUS_AUTOREPLY, NULL },	/* Lotus Notes "AUTO: ... out of the office" */
	{ BP "t/corpus/bluebottle.msg", CORPUS_AUTOREPLY, NULL },	/* challenge-response */
	{ BP "t/corpus/boxbe-cr", CORPUS_AUTOREPLY, NULL },		/* challenge-response */
	{ BP "t/corpus/spam-lots-of-bogus-addresses.msg", CORPUS_SPAM, NULL },
	{ BP "t/corpus/spam-with-image.msg", CORPUS_SPAM, NULL },
	{ BP "t/corpus/spam-bogus-email-in-report.msg", CORPUS_SPAM, NULL },
	{ BP "t/corpus/spam-with-badly-parsed-email.msg", CORPUS_SPAM, NULL },
	{ BP "xt/corpus/virus-caused-multiple-weird-reports.msg", CORPUS_SPAM, NULL },
	{ BP, CORPUS_BOUNCE, NULL },
	/* DSNs elsewhere that are not multipart/report at the top */
	{ "jhillyerd-enmime/dsn/", CORPUS_BOUNCE, NULL },
	{ "jhillyerd-enmime/testdata/mail/multipart-wo-boundary.raw", CORPUS_BOUNCE, NULL },
	{ MIKEL "multipart_report_emails/", CORPUS_BOUNCE, NULL },
	{ MIKEL "mime_emails/raw_email_with_mimepart_without_content_type.eml", CORPUS_BOUNCE, NULL },
	{ OTOBO "EmailParser/FilenameWithCRLF.box", CORPUS_BOUNCE, NULL },
	{ OTOBO "EmailParser/FilenameWithNewline.box", CORPUS_BOUNCE, NULL },
	{ "mimetools-testmsgs/badbound.", CORPUS_BOUNCE, NULL },
	/* list traffic and bulk mail */
	{ "notmuch-notmuch/test/corpora/lkml/", CORPUS_LIST, NULL },
	{ "notmuch-notmuch/test/corpora/default/", CORPUS_AMBIGUOUS,
	  "notmuch's copies of its list's posts, most without the list's delivery headers" },
	{ "notmuch-notmuch/test/corpora/duplicate/", CORPUS_AMBIGUOUS,
	  "notmuch's copies of Debian bug-tracker mail, some without the tracker's headers" },
	{ "mimetools-testmsgs/jt-0498.", CORPUS_LIST, NULL },					/* Majordomo */
	{ "notmuch-notmuch/test/corpora/indexing/PATCH-", CORPUS_LIST, NULL },			/* linux-man */
	{ "notmuch-notmuch/test/corpora/html/embedded-image", CORPUS_MACHINE, NULL },		/* feed2imap */
	{ MIKEL "error_emails/content_transfer_encoding_x_uuencode.eml", CORPUS_LIST, NULL },	/* LISTSERV */
	{ MIKEL "error_emails/empty_in_reply_to.eml", CORPUS_LIST, NULL },
	{ OTOBO "EmailParser/UTF8Filename.box", CORPUS_LIST, NULL },				/* Google Groups */
	{ OTOBO "PostMaster/UTF8Filename.box", CORPUS_LIST, NULL },
	{ "stalwartlabs-mail-parser/resources/eml/thirdparty/014.eml", CORPUS_LIST, NULL },	/* [Shapelib] */
	{ MIKEL "error_emails/bad_date_header2.eml", CORPUS_LIST, NULL },			/* newsletter */
	{ MIKEL "error_emails/content_transfer_encoding_7-bit.eml", CORPUS_LIST, NULL },	/* newsletter */
	/* notifications of systems */
	{ MIKEL "mime_emails/raw_email_encoded_stack_level_too_deep.eml", CORPUS_MACHINE, NULL },	/* Gmail team */
	{ MIKEL "error_emails/encoding_madness.eml", CORPUS_MACHINE, NULL },		/* a CRM's no-reply */
	{ MIKEL "plain_emails/raw_email_trailing_dot.eml", CORPUS_MACHINE, NULL },	/* tracker notification */
	{ "jhillyerd-enmime/testdata/mail/ctype-bug.raw", CORPUS_MACHINE, NULL },	/* welcome mail via Mandrill */
	{ OTOBO "EmailParser/DuplicatedContentTypeHeader.eml", CORPUS_MACHINE, NULL },	/* Cisco fax */
	/* machine-made, but nothing in them says so */
	{ OTOBO "EmailParser/UTF-7.box", CORPUS_AMBIGUOUS, "a server's status notice without From or any marker" },
	{ "PostMaster-Test8.box", CORPUS_AMBIGUOUS, "a fax gateway's mail without any marker" },
	{ OTOBO "EmailParser/BrokenEncoding.box", CORPUS_AMBIGUOUS, "a newsletter without any list or bulk marker" },
	{ "jhillyerd-enmime/testdata/mail/mime-duplicate-param.raw", CORPUS_AMBIGUOUS,
	  "a hotel's booking confirmation without any marker" },
	{ MIKEL "error_emails/cant_parse_from.eml", CORPUS_AMBIGUOUS, "a newsletter without any list or bulk marker" },
	{ MIKEL "error_emails/bad_subject.eml", CORPUS_AMBIGUOUS, "a survey invitation without any bulk marker" },
	{ MIKEL "error_emails/invalid_subject_characters.eml", CORPUS_AMBIGUOUS,
	  "a course advertisement without any bulk marker" },
	{ MIKEL "error_emails/content_transfer_encoding_with_8bits.eml", CORPUS_AMBIGUOUS,
	  "a shop's announcement without any bulk marker" },
	{ MIKEL "error_emails/new_line_in_to_header.eml", CORPUS_AMBIGUOUS, "a lead form's notice without any marker" },
	{ MIKEL "error_emails/trademark_character_in_subject.eml", CORPUS_AMBIGUOUS,
	  "a lead form's notice without any marker" },
	{ MIKEL "plain_emails/raw_email_multiple_from.eml", CORPUS_AMBIGUOUS, "a commit notice without any marker" },
	{ "stalwartlabs-mail-parser/resources/eml/rfc/004.eml", CORPUS_AMBIGUOUS,
	  "RFC 2046's example list digest, without any list header" },
	{ "stalwartlabs-mail-parser/resources/eml/thirdparty/007.eml", CORPUS_AMBIGUOUS,
	  "RFC 2046's example list digest, without any list header" },
	/* spam */
	{ OTOBO "EmailParser/PostMaster-Test14.box", CORPUS_SPAM, NULL },
	{ OTOBO "EmailParser/PostMaster-Test18.box", CORPUS_SPAM, NULL },
	{ OTOBO "PostMaster/PostMaster-Test14.box", CORPUS_SPAM, NULL },
	{ OTOBO "PostMaster/PostMaster-Test18.box", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/empty_group_lists.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/bad_date_header.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/content_transfer_encoding_empty.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/content_transfer_encoding_plain.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/content_transfer_encoding_qp_with_space.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/content_transfer_encoding_text-html.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/content_transfer_encoding_with_semi_colon.eml", CORPUS_SPAM, NULL },
	{ MIKEL "error_emails/must_supply_encoding.eml", CORPUS_SPAM, NULL },
	{ MIKEL "plain_emails/raw_email_bad_time.eml", CORPUS_SPAM, NULL },
	{ MIKEL "plain_emails/raw_email_incorrect_header.eml", CORPUS_SPAM, NULL },
	{ MIKEL "plain_emails/raw_email_with_bad_date.eml", CORPUS_SPAM, NULL },
};

enum corpus_class corpus_class_of(const char *path, const char *content_type, const char **note)
{
	*note = NULL;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strstr(path, labels[i].path)) {
			*note = labels[i].note;
			return labels[i].cls;
		}
	return strcmp(content_type, "multipart/report") == 0 ? CORPUS_BOUNCE : CORPUS_HUMAN;
}
