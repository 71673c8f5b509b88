/* test_autoreply.c - every RFC 3834 rule, and the corpus: no bounce,
 * report or automatic reply is ever acknowledged. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "autoreply.h"

#include <glib.h>

static struct fixture f;

/* The reason for "Header: value" added to a plain customer mail. */
static const char *with_header(const char *header, const char *sender)
{
	char *text = g_strdup_printf("From: Anna <anna@example.org>\nSubject: help\nMessage-ID: <a1@example.org>\n"
				     "%s%s\nplease help\n", header, *header ? "\n" : "");
	struct message *m = fixture_message(text);
	const char *why = autoreply_forbidden(m, sender, f.settings);

	message_free(m);
	g_free(text);
	return why;
}

static void forbids(const char *header, const char *desc)
{
	const char *why = with_header(header, "anna@example.org");
	ok(why != NULL, "%s: no acknowledgement (%s)", desc, why ? why : "allowed");
}

static void allows(const char *header, const char *desc)
{
	const char *why = with_header(header, "anna@example.org");
	ok(why == NULL, "%s: acknowledgement allowed (%s)", desc, why ? why : "allowed");
}

static void collect(const char *dir, GPtrArray *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			collect(path, out), g_free(path);
		else
			g_ptr_array_add(out, path);
	}
	if (d)
		g_dir_close(d);
}

static struct message *load(const char *path)
{
	char *raw = NULL;
	gsize len = 0;
	struct message *m;

	if (!g_file_get_contents(path, &raw, &len, NULL))
		return NULL;
	m = message_parse(raw, len, 4096);
	g_free(raw);
	return m;
}

/* The envelope sender a bounce would have if it came forwarded, not
 * with <>: the content rules must catch it on their own. */
static const char *sender_of(const struct message *m)
{
	return m->from ? m->from->address : "unknown@example.net";
}

static void corpus_checks(void)
{
	const char *env = getenv("TM_CORPUS");
	char *corpus = env ? g_strdup(env) : fixture_srcpath("../shared/corpus");
	char *bounce_dir = g_build_filename(corpus, "rjbs-Mail-DeliveryStatus-BounceParser", NULL);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	unsigned bounces = 0, answered_bounces = 0, dsns = 0, answered_dsns = 0;

	if (!g_file_test(bounce_dir, G_FILE_TEST_IS_DIR)) {
		tap_diag("SKIP corpus checks: %s not found (set TM_CORPUS)", bounce_dir);
		goto out;
	}
	collect(bounce_dir, files);
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		struct message *m;
		const char *why;
		if (!g_str_has_suffix(path, ".msg"))
			continue;
		/* Plain spam: BounceParser keeps these to show they are NOT
		 * bounces; they are neither bounce nor automatic reply. */
		if (g_str_has_suffix(path, "/spam-lots-of-bogus-addresses.msg") ||
		    g_str_has_suffix(path, "/spam-with-image.msg") ||
		    g_str_has_suffix(path, "/spam-bogus-email-in-report.msg") ||
		    g_str_has_suffix(path, "/spam-with-badly-parsed-email.msg"))
			continue;
		m = load(path);
		why = autoreply_forbidden(m, sender_of(m), f.settings);
		{
			bounces++;
			if (why == NULL) {
				answered_bounces++;
				tap_diag("would acknowledge: %s", path);
			}
		}
		message_free(m);
	}
	g_ptr_array_set_size(files, 0);
	collect(corpus, files);
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		struct message *m;
		if (strstr(path, "rjbs-Mail-DeliveryStatus-BounceParser") || g_str_has_suffix(path, ".json") ||
		    g_str_has_suffix(path, ".xml"))
			continue;
		m = load(path);
		if (m && m->has_report) {
			dsns++;
			if (autoreply_forbidden(m, sender_of(m), f.settings) == NULL) {
				answered_dsns++;
				tap_diag("would acknowledge report: %s", path);
			}
		}
		message_free(m);
	}
	ok(bounces > 100, "corpus: %u bounces and automatic replies in the BounceParser corpus", bounces);
	is_int(answered_bounces, 0, "corpus: none of them is acknowledged");
	ok(dsns > 10, "corpus: %u delivery/disposition reports in the rest of the corpus", dsns);
	is_int(answered_dsns, 0, "corpus: none of them is acknowledged");
out:
	g_ptr_array_free(files, TRUE);
	g_free(bounce_dir);
	g_free(corpus);
}

int main(void)
{
	fixture_setup(&f, NULL);

	allows("", "a plain customer mail");
	{
		struct message *m = fixture_message("From: John.Smith@b.example\nSubject: AUTO: John Smith is out of the office\n\nback Monday\n");
		ok(autoreply_forbidden(m, "john.smith@b.example", f.settings) != NULL, "Lotus Notes \"AUTO:\" subject");
		message_free(m);
		m = fixture_message("From: a@b.example\nSubject: Abwesenheitsnotiz: Ihre Anfrage\n\nbin weg\n");
		ok(autoreply_forbidden(m, "a@b.example", f.settings) != NULL, "German out-of-office subject");
		message_free(m);
		m = fixture_message("From: a@b.example\nSubject: Out of paper in printer 3\n\nhelp\n");
		ok(autoreply_forbidden(m, "a@b.example", f.settings) == NULL, "\"Out of paper\" is a real question");
		message_free(m);
	}
	forbids("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied");
	forbids("Auto-Submitted: auto-generated; type=vacation", "Auto-Submitted with parameters");
	allows("Auto-Submitted: no", "Auto-Submitted: no");
	forbids("Precedence: bulk", "Precedence: bulk");
	forbids("Precedence: junk", "Precedence: junk");
	forbids("Precedence: list", "Precedence: list");
	forbids("Precedence: auto_reply", "Precedence: auto_reply");
	allows("Precedence: first-class", "Precedence: first-class");
	forbids("List-Id: <users.lists.example.org>", "List-Id");
	forbids("List-Unsubscribe: <mailto:leave@example.org>", "List-Unsubscribe");
	forbids("List-Post: <mailto:users@example.org>", "List-Post");
	forbids("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All");
	forbids("X-Auto-Response-Suppress: DR, AutoReply", "X-Auto-Response-Suppress: AutoReply");
	forbids("X-Auto-Response-Suppress: OOF", "X-Auto-Response-Suppress: OOF");
	allows("X-Auto-Response-Suppress: DR, RN", "X-Auto-Response-Suppress: DR, RN only");
	forbids("X-Autoreply: yes", "X-Autoreply");
	forbids("X-Autorespond: yes", "X-Autorespond");
	forbids("X-Autogenerated: Reply", "X-Autogenerated");
	forbids("X-Loop: helpdesk@example.net", "X-Loop");
	forbids("X-Failed-Recipients: gone@example.org", "X-Failed-Recipients");
	forbids("X-Spam-Flag: YES", "X-Spam-Flag: YES");
	allows("X-Spam-Flag: NO", "X-Spam-Flag: NO");
	forbids("Content-Type: multipart/report; report-type=delivery-status; boundary=x", "multipart/report");

	ok(with_header("", NULL) != NULL, "null envelope sender: no acknowledgement");
	ok(with_header("", "MAILER-DAEMON@mx.example.org") != NULL, "MAILER-DAEMON sender");
	ok(with_header("", "postmaster@example.org") != NULL, "postmaster sender");
	ok(with_header("", "abuse@example.org") != NULL, "abuse sender");
	ok(with_header("", "noreply@example.org") != NULL && with_header("", "no-reply@example.org") != NULL &&
	   with_header("", "do-not-reply@example.org") != NULL, "noreply senders");
	ok(with_header("", "root@example.org") != NULL, "root sender");
	ok(with_header("", "rooted@example.org") == NULL, "a mere prefix is not the pattern");
	ok(with_header("", "support@example.com") != NULL, "our own queue address as sender");
	g_strfreev(f.settings->queues[0].agents);
	f.settings->queues[0].agents = g_strsplit("alice@example.com,@staff.example.com", ",", -1);
	ok(with_header("", "alice@example.com") != NULL && with_header("", "dana@staff.example.com") != NULL,
	   "one of our agents as sender");
	{
		struct message *m = fixture_message("From: a@example.org\nMessage-ID: <x@support.example.com>\n\nx\n");
		ok(autoreply_forbidden(m, "a@example.org", f.settings) != NULL, "a Message-ID of our own host");
		message_free(m);
	}
	{
		struct message *m = fixture_message("From: a@example.org\nMIME-Version: 1.0\n"
			"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee report\n"
			"--b\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822;x@y\n--b--\n");
		ok(autoreply_forbidden(m, "a@example.org", f.settings) != NULL, "a read receipt nested in multipart/mixed");
		message_free(m);
	}
	corpus_checks();
	fixture_teardown(&f);
	return tap_done();
}
