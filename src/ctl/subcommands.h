/*
 * subcommands.h - the subcommands of ticketctl, one function each.
 *
 * Each takes the loaded settings and the arguments after the command
 * name, prints its result on stdout and its errors on stderr, and
 * returns the process exit status.  Room: ctl.
 */
#ifndef TM_SUBCOMMANDS_H
#define TM_SUBCOMMANDS_H

#include "config/settings.h"

int cmd_init(const struct settings *s, int argc, char **argv);
int cmd_list(const struct settings *s, int argc, char **argv);
int cmd_show(const struct settings *s, int argc, char **argv);
int cmd_search(const struct settings *s, int argc, char **argv);
int cmd_outbox(const struct settings *s, int argc, char **argv);
int cmd_set(const struct settings *s, int argc, char **argv);
int cmd_deliver(const struct settings *s, int argc, char **argv);
int cmd_report(const struct settings *s, int argc, char **argv);
int cmd_problem(const struct settings *s, int argc, char **argv);
int cmd_due(const struct settings *s, int argc, char **argv);	/* cmd_due.c */

#endif
