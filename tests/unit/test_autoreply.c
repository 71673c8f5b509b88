/* test_autoreply.c - every RFC 3834 rule, the robots of every class in
 * tests/fixtures/robots (bounces, automatic replies, lists, reports,
 * machines) and the people beside them who must still be answered.  The
 * corpus is counted per class in test_corpus.c. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "robots/autoreply.h"

#include <glib.h>
#include <string.h>

static struct fixture f;

/* The envelope a robot's mail has when a forwarder resent it: the rules
 * must know it by its content. */
#define RELAY "relay@forwarder.example.net"

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

/* The reason for a whole message given as text, with that envelope. */
static const char *reason(const char *text, const char *sender)
{
	struct message *m = fixture_message(text);
	const char *why = autoreply_forbidden(m, sender, f.settings);

	message_free(m);
	return why;
}

/* A message from this From (the envelope a relay's) with this subject. */
static const char *from_subject(const char *from, const char *subject, const char *body)
{
	char *text = g_strdup_printf("From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <s1@example.org>\n"
				     "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s\n",
				     from, subject, body);
	const char *why = reason(text, RELAY);

	g_free(text);
	return why;
}

static void header_rules(void)
{
	allows("", "a plain customer mail");
	ok(reason("From: John.Smith@b.example\nSubject: AUTO: John Smith is out of the office\n\nback Monday\n",
		  "john.smith@b.example") != NULL, "Lotus Notes \"AUTO:\" subject");
	ok(reason("From: a@b.example\nSubject: Abwesenheitsnotiz: Ihre Anfrage\n\nbin weg\n", "a@b.example") != NULL,
	   "German out-of-office subject");
	ok(reason("From: a@b.example\nSubject: Re: Invoice 12 (Auto Reply)\n\naway\n", "a@b.example") != NULL,
	   "\"(Auto Reply)\" at the end of the subject");
	ok(reason("From: a@b.example\nSubject: Abwesend: Ihre Anfrage\n\nbin weg\n", "a@b.example") != NULL,
	   "German \"Abwesend:\" subject");
	ok(reason("From: a@b.example\nSubject: 自动答复: 报价\n\n休假\n", "a@b.example") != NULL,
	   "Chinese Outlook \"自动答复:\" subject");
	ok(reason("From: a@b.example\nSubject: Re: Offer (Auto-Response)\n\naway\n", "a@b.example") != NULL,
	   "\"(Auto-Response)\" at the end of the subject");
	ok(reason("From: a@b.example\nSubject: Out of paper in printer 3\n\nhelp\n", "a@b.example") == NULL,
	   "\"Out of paper\" is a real question");
	ok(reason("From: a@b.example\nSubject: How do I set an automatic reply?\n\nhelp\n", "a@b.example") == NULL,
	   "a question about automatic replies is a real question");
	forbids("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied");
	forbids("Auto-Submitted: auto-generated; type=vacation", "Auto-Submitted with parameters");
	allows("Auto-Submitted: no", "Auto-Submitted: no");
	forbids("Auto-Submitted: no\nAuto-Submitted: auto-generated", "a second Auto-Submitted after \"no\"");
	forbids("Precedence: bulk", "Precedence: bulk");
	forbids("Precedence: junk", "Precedence: junk");
	forbids("Precedence: list", "Precedence: list");
	forbids("Precedence: auto_reply", "Precedence: auto_reply");
	forbids("Precedence: never-bounce\nPrecedence: bulk", "Precedence: bulk after Precedence: never-bounce");
	forbids("X-Precedence: bulk", "X-Precedence: bulk");
	allows("Precedence: first-class", "Precedence: first-class");
	forbids("List-Id: <users.lists.example.org>", "List-Id");
	forbids("List-Unsubscribe: <mailto:leave@example.org>", "List-Unsubscribe");
	forbids("List-Post: <mailto:users@example.org>", "List-Post");
	forbids("List-Subscribe: <mailto:join@example.org>", "List-Subscribe alone");
	forbids("List-Help: <mailto:help@example.org>", "List-Help alone");
	forbids("List-Owner: <mailto:owner@example.org>", "List-Owner alone");
	forbids("List-Archive: <https://lists.example.org/users/>", "List-Archive alone");
	forbids("Mailing-List: contact users-help@example.org; run by ezmlm", "Mailing-List (ezmlm)");
	forbids("Delivered-To: mailing list users@example.org", "Delivered-To: mailing list (ezmlm)");
	forbids("X-Mailing-List: <users@example.org> archive/latest/12", "X-Mailing-List");
	forbids("X-ML-Name: users", "X-ML-Name (fml)");
	forbids("X-MLServer: fml [fml 4.0.3]", "X-MLServer (fml)");
	forbids("X-ML-Info: If you have a question, mail to users-admin@example.jp", "X-ML-Info (fml)");
	forbids("Sender: owner-users@lists.example.org", "Sender: owner-list (Majordomo, LISTSERV)");
	forbids("Sender: users-owner@lists.example.org", "Sender: list-owner");
	forbids("Sender: users-request@lists.example.org", "Sender: list-request (fml)");
	forbids("Sender: users-bounces@lists.example.org", "Sender: list-bounces (Mailman)");
	allows("Sender: Anna's assistant <bob@example.org>", "Sender: a person");
	forbids("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All");
	forbids("X-Auto-Response-Suppress: DR, AutoReply", "X-Auto-Response-Suppress: AutoReply");
	forbids("X-Auto-Response-Suppress: OOF", "X-Auto-Response-Suppress: OOF");
	allows("X-Auto-Response-Suppress: DR, RN", "X-Auto-Response-Suppress: DR, RN only");
	forbids("X-Autoreply: yes", "X-Autoreply");
	forbids("X-Autorespond: yes", "X-Autorespond");
	allows("X-Autorespond: no", "X-Autorespond: no");
	forbids("X-Autogenerated: Reply", "X-Autogenerated");
	forbids("X-Loop: helpdesk@example.net", "X-Loop");
	forbids("X-OTRS-Loop: yes", "X-OTRS-Loop (OTRS, Znuny)");
	forbids("X-Mailer: vacation/1.2.7", "X-Mailer of the vacation program");
	forbids("X-Mailer: Acme AutoResponder 3.1", "X-Mailer of an autoresponder");
	allows("X-Mailer: Mozilla Thunderbird", "X-Mailer of a mail client");
	forbids("X-Apple-Action: vacation", "X-Apple-Action: vacation (iCloud)");
	forbids("X-FC-Machinegenerated: true", "X-FC-Machinegenerated: true (FirstClass)");
	forbids("X-POST-MessageClass: 9; Autoresponder", "X-POST-MessageClass (MailTraq)");
	forbids("Delivered-To: Autoresponder", "Delivered-To: Autoresponder (qmail)");
	forbids("RT-Ticket: example.org #12", "RT-Ticket");
	forbids("X-RT-Loop-Prevention: example.org", "X-RT-Loop-Prevention");
	forbids("X-JIRA-FingerPrint: 0123abcd", "X-JIRA-FingerPrint");
	forbids("X-Redmine-Host: projects.example.org", "X-Redmine-Host");
	forbids("X-GitHub-Reason: mention", "X-GitHub-Reason");
	forbids("X-GitLab-Project: shop", "X-GitLab-Project");
	forbids("X-Cron-Env: <SHELL=/bin/sh>", "X-Cron-Env");
	forbids("X-Failed-Recipients: gone@example.org", "X-Failed-Recipients");
	forbids("X-MS-Exchange-Message-Is-Ndr: ", "X-MS-Exchange-Message-Is-Ndr");
	allows("X-Report-Abuse: Please report any abuse attempt to abuse@host.example", "X-Report-Abuse, which "
	       "mail hosts put on every person's mail");
	forbids("X-Spam-Flag: YES", "X-Spam-Flag: YES");
	allows("X-Spam-Flag: NO", "X-Spam-Flag: NO");
	forbids("Return-Path: <>", "Return-Path: <> with a non-null envelope");
	allows("Return-Path: <anna@example.org>", "Return-Path of a person");
	forbids("Return-Path: <MAILER-DAEMON@mx.example.org>", "Return-Path of a mailer-daemon");
	forbids("Content-Type: multipart/report; report-type=delivery-status; boundary=x", "multipart/report");
}

static void sender_rules(void)
{
	static const char *const system[] = {
		"MAILER-DAEMON@mx.example.org", "mailer_daemon@example.org", "Mail-Daemon@example.org",
		"mail.daemon@example.org", "postmaster@example.org", "Post_Master@example.org", "post-master@example.org",
		"noreply@example.org", "no-reply@example.org", "No_Reply@example.org", "NO.REPLY@example.org",
		"do-not-reply@example.org", "DoNotReply@example.org", "do_not_reply@example.org",
		"notifications@example.org", "Notification@example.org", "bounce@example.org",
		"bounces+12345-abcd=example.com@mail.example.net", "Bounce-md_30112948.55a0@mandrill.example.net",
		"gmail-noreply@example.com", "shop.no-reply+order@example.org",
		"MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com", "MDaemon@example.org",
	};
	static const char *const people[] = {
		"anna@example.org", "owner@bakery.example", "request@example.org", "rooted@example.org",
		"bouncer.jones@example.org", "notify-me-not@example.org", "mail@maria.example",
	};

	ok(with_header("", NULL) != NULL, "null envelope sender: no acknowledgement");
	for (size_t i = 0; i < G_N_ELEMENTS(system); i++) {
		char *from = g_strdup_printf("Someone <%s>", system[i]);
		ok(with_header("", system[i]) != NULL, "envelope sender %s: no acknowledgement", system[i]);
		ok(from_subject(from, "hello", "text") != NULL, "From %s (relayed): no acknowledgement", system[i]);
		g_free(from);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(people); i++) {
		char *from = g_strdup_printf("Someone <%s>", people[i]);
		const char *why = from_subject(from, "hello", "text");
		ok(why == NULL, "From %s is a person (%s)", people[i], why ? why : "allowed");
		g_free(from);
	}
	ok(with_header("", "abuse@example.org") != NULL, "abuse sender (never-to)");
	ok(with_header("", "root@example.org") != NULL, "root sender (never-to)");
	ok(reason("From: MAILER-DAEMON\nSubject: x\n\nx\n", RELAY) != NULL, "From: MAILER-DAEMON without a domain");
	ok(reason("From: Mail Delivery Subsystem <MAILER-DAEMON>\nSubject: x\n\nx\n", RELAY) != NULL,
	   "From: Mail Delivery Subsystem <MAILER-DAEMON>");
	ok(reason("From: <>\nSubject: x\n\nx\n", RELAY) != NULL, "From: <>");
	ok(reason("From:\nSubject: x\n\nx\n", RELAY) != NULL, "From: empty");
	ok(reason("From: Mailer <>\nSubject: x\n\nx\n", RELAY) != NULL, "From: a name and <>");
	ok(reason("From: user2\nSubject: x\n\nx\n", RELAY) == NULL, "From: a bare local name that is no system's");
	ok(reason("Subject: where is my parcel\n\nx\n", RELAY) == NULL, "no From at all, a question: acknowledged");
	ok(with_header("", "support@example.com") != NULL, "our own queue address as sender");
	g_strfreev(f.settings->queues[0].agents);
	f.settings->queues[0].agents = g_strsplit("alice@example.com,@staff.example.com", ",", -1);
	ok(with_header("", "alice@example.com") != NULL && with_header("", "dana@staff.example.com") != NULL,
	   "one of our agents as sender");
	ok(reason("From: a@example.org\nMessage-ID: <x@support.example.com>\n\nx\n", "a@example.org") != NULL,
	   "a Message-ID of our own host");
}

/* Bounce subjects in every locale we write in: from a machine-like
 * sender no acknowledgement, the same forwarded by a person one. */
static void bounce_heuristic(void)
{
	static const char *const subjects[] = {
		"Undeliverable: Quote", "Returned mail: see transcript for details", "Delivery Status Notification (Failure)",
		"Mail delivery failed: returning message to sender", "Delivery failure", "failure notice",
		"Teslim edilemedi: Teklif", "Unzustellbar: Angebot", "Non remis : Devis", "No se puede entregar: Oferta",
		"Não é possível entregar: Proposta", "Non recapitabile: Offerta", "Onbestelbaar: Offerte",
		"Недоставлено: Предложение", "配信不能: 見積もり", "无法投递: 报价", "غير قابل للتسليم: عرض",
		"배달되지 않음: 견적", "Niedostarczalne: Oferta",
	};
	static const char *const machines[] = {
		"Mail Delivery System <gw@relay.example.net>", "SMS Gateway <sms@gw.example.net>",
		"System Administrator <ops@example.net>", "mailer@mx.example.net",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(subjects); i++) {
		char *fwd = g_strdup_printf("Fwd: %s", subjects[i]);
		const char *why = from_subject(machines[i % G_N_ELEMENTS(machines)], subjects[i], "see below");
		ok(why != NULL, "bounce subject \"%s\" from a machine: no acknowledgement (%s)", subjects[i],
		   why ? why : "allowed");
		why = from_subject("Petra Person <petra@customer.example.org>", fwd, "see below");
		ok(why == NULL, "\"%s\" from a person: acknowledged (%s)", fwd, why ? why : "allowed");
		g_free(fwd);
	}
	ok(from_subject("Mail Delivery System <gw@relay.example.net>", "Notice",
			"This message was created automatically by mail delivery software.\n") != NULL,
	   "a DSN text under a plain subject from a machine");
	ok(reason("To: support@example.com\nSubject: Returned mail: User unknown\n\nx\n", RELAY) != NULL,
	   "a bounce subject without any From");
#define RETURNED "From: %s\nSubject: %s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n" \
	"--b\nContent-Type: text/plain\n\nsee below\n--b\nContent-Type: text/rfc822-headers\n\n" \
	"From: support@example.com\nSubject: Offer\n\n--b--\n"
	{
		char *text = g_strdup_printf(RETURNED, "Content Filter <filter@gw.example.net>", "Undeliverable: Offer");
		ok(reason(text, RELAY) != NULL, "a bounce subject over the returned message's header, from anyone");
		g_free(text);
		text = g_strdup_printf(RETURNED, "Petra <petra@customer.example.org>", "Fwd: Undeliverable: Offer");
		ok(reason(text, "petra@customer.example.org") == NULL, "a person forwarding that bounce: acknowledged");
		g_free(text);
	}
	ok(from_subject("Tom <tom@buyer.example.net>", "Delivery failure of my order", "The parcel never came.") == NULL,
	   "a person's question about a failed parcel delivery is acknowledged");
}

static void report_rules(void)
{
#define JMRP "From: %s\nSubject: %s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n" \
	     "--b\nContent-Type: message/rfc822\n\nFrom: support@example.com\nSubject: ack\n\nack\n--b--\n"
	char *text;
	struct message *m;

	text = g_strdup_printf(JMRP, "staff@hotmail.com", "complaint about message from 192.0.2.1");
	m = fixture_message(text);
	ok(m->has_message_part, "parser: an attached message/rfc822 is seen");
	ok(autoreply_forbidden(m, RELAY, f.settings) != NULL, "Hotmail JMRP report: no acknowledgement");
	message_free(m);
	g_free(text);
	text = g_strdup_printf(JMRP, "fbl@isp.example.net", "Abuse report for 192.0.2.1");
	ok(reason(text, RELAY) != NULL, "abuse report with the message attached: no acknowledgement");
	g_free(text);
	text = g_strdup_printf(JMRP, "carl@example.net", "Fwd: complaint about message from 192.0.2.1");
	ok(reason(text, "carl@example.net") == NULL, "a person forwarding a complaint: acknowledged");
	g_free(text);
	ok(reason("From: carl@example.net\nSubject: Complaint about message from your sales team\n\nstop it\n",
		  "carl@example.net") == NULL, "a person's complaint without an attached message: acknowledged");
	ok(reason("From: abuse-team@isp.example.net\nSubject: spam\n\nFeedback-Type: abuse\nVersion: 1\n", RELAY) != NULL,
	   "ARF fields written into a text report: no acknowledgement");
	ok(reason("From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		  "Content-Type: text/plain\n\nsee report\n--b\nContent-Type: message/disposition-notification\n\n"
		  "Final-Recipient: rfc822;x@y\n--b--\n", "a@example.org") != NULL,
	   "a read receipt nested in multipart/mixed");
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every fixture: robots (named by class) get none, with a relay's
 * envelope or their own From as envelope; people (human-*) get one. */
static void fixture_files(void)
{
	char *dir = fixture_srcpath("tests/fixtures/robots");
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *entry;
	unsigned robots = 0, people = 0;

	while (d && (entry = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(entry));
	g_ptr_array_sort(names, by_name);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path, *raw = NULL;
		gsize len = 0;
		struct message *m;
		const char *why, *why_from;
		if (!g_str_has_suffix(name, ".eml"))
			continue;
		path = g_build_filename(dir, name, NULL);
		if (!g_file_get_contents(path, &raw, &len, NULL)) {
			ok(0, "%s: read", name);
			g_free(path);
			continue;
		}
		m = message_parse(raw, len, 4096);
		why = autoreply_forbidden(m, g_str_has_prefix(name, "human-") && m->from ? m->from->address : RELAY,
					  f.settings);
		why_from = autoreply_forbidden(m, m->from ? m->from->address : RELAY, f.settings);
		if (g_str_has_prefix(name, "human-")) {
			people++;
			ok(why == NULL, "%s: acknowledged (%s)", name, why ? why : "allowed");
		} else {
			robots++;
			ok(why != NULL && why_from != NULL, "%s: no acknowledgement (%s)", name, why ? why : "allowed");
		}
		message_free(m);
		g_free(raw);
		g_free(path);
	}
	ok(robots >= 40 && people >= 8, "fixtures: %u robots, %u people", robots, people);
	g_ptr_array_free(names, TRUE);
	if (d)
		g_dir_close(d);
	g_free(dir);
}

int main(void)
{
	fixture_setup(&f, NULL);
	header_rules();
	sender_rules();
	bounce_heuristic();
	report_rules();
	fixture_files();
	fixture_teardown(&f);
	return tap_done();
}
