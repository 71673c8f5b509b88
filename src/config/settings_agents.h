/*
 * settings_agents.h - the parts of the configuration about agents as
 * readers of our mail: [agent NAME] sections (their language and time
 * zone), the agents of each [calendar NAME], and the reminder levels of
 * an [sla NAME] (remind =).  settings.c reads the file and calls these;
 * the structs live in settings.h with the rest of the snapshot.
 * Room: config.
 *
 *   [sla standard]
 *   remind = 50%, 75%: assignee; 100%: assignee, lead@example.com; 150%: boss@example.com
 *
 * remind applies to both targets, the first response and the
 * resolution; remind-first-response and remind-resolution replace it for
 * one of them ("none": no reminders for that one).  Like the targets,
 * each may carry a priority ("urgent.remind"): for a ticket of that
 * priority, PRIORITY.remind-TARGET wins, then PRIORITY.remind, then
 * remind-TARGET, then remind.  Each group is
 * "LEVELS: RECIPIENTS"; a level is a percent of the target's budget
 * (1% to 1000%), each at most once; a recipient is "assignee" (the
 * ticket's assignee, or the queue's agents while nobody is assigned),
 * "agents" (the agents of the calendars open when the reminder goes), or
 * an address.
 */
#ifndef TM_SETTINGS_AGENTS_H
#define TM_SETTINGS_AGENTS_H

#include "config/settings.h"

#define REMIND_MAX_LEVELS 16
#define REMIND_MAX_PERCENT 1000

/* Parses a remind value into *out (cleared first; "none" leaves it
 * empty).  Returns false with *error (g_free; error may be NULL) naming
 * the bad part. */
bool remind_parse(const char *text, struct remind_levels *out, char **error);
void remind_levels_clear(struct remind_levels *r);

/* Where settings_agents_check() reports a problem: at key of section
 * ("agent alice", "calendar office"). */
typedef void (*settings_complaint)(void *ctx, const char *section, const char *key, const char *message);

/* Whether key of an [sla NAME] is one of the remind keys, with or
 * without a priority (known or not: sla_reminds_load judges it). */
bool sla_remind_key(const char *key);
/* Reads the remind keys of [sla NAME] group into p, reporting each bad
 * one (an unknown priority, a value remind_parse refuses) once. */
void sla_reminds_load(GKeyFile *kf, const char *group, struct sla_policy *p, settings_complaint on_problem, void *ctx);

/* After loading: each [agent] has a usable address, locale and zone, and
 * each [calendar] agents entry is an address or the NAME of an [agent
 * NAME] (replaced by its address).  Reports every problem. */
void settings_agents_check(struct settings *s, settings_complaint on_problem, void *ctx);

/* Frees what the above added to s: agents, calendars' agents, remind
 * levels. */
void settings_agents_free(struct settings *s);

/* The [agent] section of address (any case), or NULL. */
const struct agent_def *settings_agent(const struct settings *s, const char *address);

#endif
