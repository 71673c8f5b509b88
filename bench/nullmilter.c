/*
 * nullmilter.c - a milter that does nothing: the cost of the milter
 * protocol alone, the baseline ticket-milter is compared against.
 *
 *   gcc -O2 -o nullmilter bench/nullmilter.c -lmilter -lpthread
 *   nullmilter -p inet:PORT@127.0.0.1 [-l] [-e ADDRESS]
 *
 * It registers the same callbacks and negotiates the same protocol
 * steps as ticket-milter (no HELO, no unknown commands, no reply to
 * header callbacks), so the MTA sends it the same conversation for mail
 * addressed to a queue: connect, MAIL, RCPT, DATA, every header, the
 * body, end of message.  Every callback answers "continue".  With -l it
 * logs one line per message to stderr, ending like ticket-milter's with
 * elapsed=NNNus, from MAIL FROM to the end-of-message answer.
 * With -e ADDRESS it still does nothing of its own, but a message for
 * ADDRESS (or ADDRESS's local part +anything) leaves with the header
 * changes ticket-milter makes to a ticket message (the subject tagged,
 * X-Ticket-ID, -Status, -Priority, -Queue, -Locale, -Due, Reply-To):
 * what applying them costs the MTA, apart from the work of deciding them.
 * It sets TCP_NODELAY on its listening socket as ticket-milter does:
 * without it, a milter that changes headers waits on the MTA's delayed
 * ACKs after each message, and the baseline would be unfairly slow.
 * SIGTERM or SIGINT stops it (libmilter's own handling).
 */
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int log_messages;
static const char *edit_address;	/* -e: tag the mail for this address */

/* Per connection; the message's part is reset at MAIL FROM. */
struct conn_state {
	long long started;	/* when the current message's MAIL FROM arrived */
	int for_queue;		/* a recipient is edit_address */
	int has_reply_to;
	char *subject;		/* as received, for the tagged one */
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct conn_state *state(SMFICTX *ctx)
{
	struct conn_state *st = smfi_getpriv(ctx);

	if (st == NULL) {
		st = calloc(1, sizeof *st);
		smfi_setpriv(ctx, st);
	}
	return st;
}

/* ADDRESS itself, or its local part +detail at the same domain. */
static int is_edit_address(const char *rcpt)
{
	const char *at = strchr(edit_address, '@');
	size_t local = (size_t)(at - edit_address);

	if (*rcpt == '<')
		rcpt++;
	if (strncasecmp(rcpt, edit_address, local) != 0)
		return 0;
	if (rcpt[local] == '+')
		rcpt = strchr(rcpt + local, '@');
	else
		rcpt += local;
	return rcpt && strncasecmp(rcpt, at, strlen(at)) == 0;
}

static sfsistat nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			     unsigned long f3, unsigned long *pf0, unsigned long *pf1,
			     unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx; (void)f2; (void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	*pf1 = f1 & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NR_HDR);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)host; (void)addr;
	state(ctx);
	return SMFIS_CONTINUE;
}

static sfsistat nm_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn_state *st = state(ctx);

	(void)argv;
	free(st->subject);
	st->subject = NULL;
	st->for_queue = st->has_reply_to = 0;
	st->started = now_us();
	return SMFIS_CONTINUE;
}

static sfsistat nm_envrcpt(SMFICTX *ctx, char **argv)
{
	if (edit_address && is_edit_address(argv[0]))
		state(ctx)->for_queue = 1;
	return SMFIS_CONTINUE;
}

static sfsistat nm_data(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat nm_eoh(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat nm_abort(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }

static sfsistat nm_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn_state *st = state(ctx);

	if (st->for_queue && st->subject == NULL && strcasecmp(name, "Subject") == 0)
		st->subject = strdup(value);
	else if (st->for_queue && strcasecmp(name, "Reply-To") == 0)
		st->has_reply_to = 1;
	return SMFIS_NOREPLY;	/* SMFIP_NR_HDR was negotiated */
}

static sfsistat nm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx; (void)chunk; (void)len;
	return SMFIS_CONTINUE;
}

/* The eight changes of a new ticket's message, with values of the same
 * length as ticket-milter's. */
static void tag_as_ticket(SMFICTX *ctx, struct conn_state *st)
{
	static const char reply_to[] = "Example Support <support+aaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>";
	char subject[1024];

	snprintf(subject, sizeof subject, "[SUP-1234] %s", st->subject ? st->subject : "");
	if (st->subject)
		smfi_chgheader(ctx, "Subject", 1, subject);
	else
		smfi_addheader(ctx, "Subject", subject);
	smfi_addheader(ctx, "X-Ticket-ID", "SUP-1234");
	smfi_addheader(ctx, "X-Ticket-Status", "new");
	smfi_addheader(ctx, "X-Ticket-Priority", "normal");
	smfi_addheader(ctx, "X-Ticket-Queue", "support");
	smfi_addheader(ctx, "X-Ticket-Locale", "en");
	smfi_addheader(ctx, "X-Ticket-Due", "2026-12-08T09:00:00Z");
	if (st->has_reply_to)
		smfi_chgheader(ctx, "Reply-To", 1, (char *)reply_to);
	else
		smfi_addheader(ctx, "Reply-To", (char *)reply_to);
}

static sfsistat nm_eom(SMFICTX *ctx)
{
	struct conn_state *st = state(ctx);

	if (st->for_queue)
		tag_as_ticket(ctx, st);
	if (log_messages) {
		const char *qid = smfi_getsymval(ctx, "i");
		fprintf(stderr, "nullmilter: %s: %s elapsed=%lldus\n", qid ? qid : "NOQUEUE",
			st->for_queue ? "tagged" : "passed", now_us() - st->started);
	}
	return SMFIS_CONTINUE;
}

static sfsistat nm_close(SMFICTX *ctx)
{
	struct conn_state *st = smfi_getpriv(ctx);

	if (st)
		free(st->subject);
	free(st);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc description = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = nm_connect,
	.xxfi_envfrom = nm_envfrom,
	.xxfi_envrcpt = nm_envrcpt,
	.xxfi_header = nm_header,
	.xxfi_eoh = nm_eoh,
	.xxfi_body = nm_body,
	.xxfi_eom = nm_eom,
	.xxfi_abort = nm_abort,
	.xxfi_close = nm_close,
	.xxfi_data = nm_data,
	.xxfi_negotiate = nm_negotiate,
};

/* libmilter keeps its listening socket to itself: set the option on
 * whichever descriptor listens (accepted sockets inherit it). */
static void listening_socket_nodelay(void)
{
	int on = 1;

	for (int fd = 3; fd < 256; fd++) {
		int accepting = 0;
		socklen_t n = sizeof accepting;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &n) == 0 && accepting)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	}
}

int main(int argc, char **argv)
{
	const char *socket = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "p:le:")) != -1) {
		if (opt == 'p')
			socket = optarg;
		else if (opt == 'l')
			log_messages = 1;
		else if (opt == 'e' && strchr(optarg, '@'))
			edit_address = optarg;
		else
			return 2;
	}
	if (socket == NULL) {
		fprintf(stderr, "usage: nullmilter -p SOCKET [-l] [-e ADDRESS]\n");
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (smfi_setconn((char *)socket) != MI_SUCCESS || smfi_register(description) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", socket);
		return 1;
	}
	listening_socket_nodelay();
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
