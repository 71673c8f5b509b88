/*
 * ticketctl.c - the administrator's command line tool: dispatch.
 *
 *   ticketctl [-c FILE] init | list | show | search | set | problem | outbox | deliver | report | due ...
 *
 * Room: ctl.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "util/log.h"
#include "util/run_as.h"
#include "report/report_charts.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG SYSCONFDIR "/ticket-milter/ticket-milter.conf"

struct command {
	const char *name;
	int (*run)(const struct settings *, int, char **);
	int load_flags;
	/* Stays root to create files and hand them over (cmd_init.c); the
	 * others work on the store as [milter] user (run_as.h). */
	bool keeps_root;
	const char *help;
};

static const struct command commands[] = {
	{ "init", cmd_init, 0, true, "init                      create the database and the secret" },
	{ "list", cmd_list, 0, false, "list [--status S] [--json] list tickets, most recently updated first" },
	{ "show", cmd_show, 0, false, "show SUP-1042 [--json]    the whole thread of one ticket" },
	{ "search", cmd_search, 0, false, "search WORDS...           full-text search over subjects and texts" },
	{ "set", cmd_set, SETTINGS_LOAD_SECRET, false,
	  "set SUP-1042 NAME=VALUE...  status, priority, assign, lang, tz, tier, merge, cc, problem" },
	{ "problem", cmd_problem, SETTINGS_LOAD_SECRET, false,
	  "problem list|show|describe|announce ...  known problems, and telling their customers of a fix" },
	{ "outbox", cmd_outbox, 0, false, "outbox [--failed] [--retry ID] [--json]  generated mail and its delivery" },
	{ "deliver", cmd_deliver, SETTINGS_LOAD_SECRET, false,
	  "deliver --recipient ADDR [--sender ADDR] [--reinject]  record a message read on stdin, pass it on" },
	{ "report", cmd_report, 0, false,
	  "report [--since DATE] [--until DATE] [--by KEY] [--format text|json|csv|html] [-o FILE]  service figures" },
	{ "due", cmd_due, 0, false, "due [--within 2h] [--json]  promises running, overdue first, time left in business time" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ticketctl [-c FILE] COMMAND [ARGS]   (-c default " DEFAULT_CONFIG ")\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
	const char *config_path = DEFAULT_CONFIG;
	const struct command *cmd = NULL;
	GPtrArray *errors;
	struct settings *s;
	struct run_as_saved saved;
	char *error = NULL;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "ticketctl: unknown command \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	umask(077);	/* what we create holds customers' mail: owner only */
	g_mime_init();
	log_open("ticketctl", false, true);
	errors = g_ptr_array_new_with_free_func(g_free);
	s = settings_load(config_path, cmd->load_flags, errors);
	if (s == NULL) {
		for (guint i = 0; i < errors->len; i++)
			fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
		rc = 1;
	} else if (!cmd->keeps_root && run_as_assume(s->user, &saved, &error) != 0) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		rc = 1;
	} else {
		optind++;
		rc = cmd->run(s, argc - optind, argv + optind);
		run_as_restore(&saved);
	}
	g_ptr_array_free(errors, TRUE);
	settings_unref(s);
	g_mime_shutdown();
	report_charts_shutdown();	/* the weekly mail's PNGs */
	return rc;
}
