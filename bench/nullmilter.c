/*
 * nullmilter.c - a milter that does nothing: the cost of the milter
 * protocol alone, the baseline ticket-milter is compared against.
 *
 *   gcc -O2 -o nullmilter bench/nullmilter.c -lmilter -lpthread
 *   nullmilter -p inet:PORT@127.0.0.1 [-l]
 *
 * It registers the same callbacks and negotiates the same protocol
 * steps as ticket-milter (no HELO, no unknown commands, no reply to
 * header callbacks), so the MTA sends it the same conversation for mail
 * addressed to a queue: connect, MAIL, RCPT, DATA, every header, the
 * body, end of message.  Every callback answers "continue".  With -l it
 * logs one line per message to stderr, ending like ticket-milter's with
 * elapsed=NNNus, from MAIL FROM to the end-of-message answer.
 * SIGTERM or SIGINT stops it (libmilter's own handling).
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_messages;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Per connection: when the current message's MAIL FROM arrived. */
static long long *started(SMFICTX *ctx)
{
	long long *t = smfi_getpriv(ctx);

	if (t == NULL) {
		t = calloc(1, sizeof *t);
		smfi_setpriv(ctx, t);
	}
	return t;
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
	started(ctx);
	return SMFIS_CONTINUE;
}

static sfsistat nm_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	*started(ctx) = now_us();
	return SMFIS_CONTINUE;
}

static sfsistat nm_envrcpt(SMFICTX *ctx, char **argv) { (void)ctx; (void)argv; return SMFIS_CONTINUE; }
static sfsistat nm_data(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat nm_eoh(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat nm_abort(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }

static sfsistat nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx; (void)name; (void)value;
	return SMFIS_NOREPLY;	/* SMFIP_NR_HDR was negotiated */
}

static sfsistat nm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx; (void)chunk; (void)len;
	return SMFIS_CONTINUE;
}

static sfsistat nm_eom(SMFICTX *ctx)
{
	if (log_messages) {
		const char *qid = smfi_getsymval(ctx, "i");
		fprintf(stderr, "nullmilter: %s: passed elapsed=%lldus\n", qid ? qid : "NOQUEUE",
			now_us() - *started(ctx));
	}
	return SMFIS_CONTINUE;
}

static sfsistat nm_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
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

int main(int argc, char **argv)
{
	const char *socket = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "p:l")) != -1) {
		if (opt == 'p')
			socket = optarg;
		else if (opt == 'l')
			log_messages = 1;
		else
			return 2;
	}
	if (socket == NULL) {
		fprintf(stderr, "usage: nullmilter -p SOCKET [-l]\n");
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (smfi_setconn((char *)socket) != MI_SUCCESS || smfi_register(description) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", socket);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
