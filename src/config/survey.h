/*
 * survey.h - the satisfaction surveys a queue can send with its resolved
 * notice ([queue] survey = csat | nps | ces), and their scales.
 * Room: config.
 *
 *   csat  customer satisfaction, 1 (very poor) to 5 (excellent)
 *   nps   net promoter: how likely to recommend us, 0 (not at all) to
 *         10 (extremely likely)
 *   ces   customer effort: how easy it was to get the issue resolved,
 *         1 (very difficult) to 7 (very easy)
 *
 * The name is also what the store records with each rating, the prefix
 * of the rating address (support+nps-9-TOKEN@) and of the placeholders
 * of the links (nps_0 ... nps_10); higher is better on every scale.
 */
#ifndef TM_SURVEY_H
#define TM_SURVEY_H

#include <stdbool.h>

enum survey { SURVEY_CSAT, SURVEY_NPS, SURVEY_CES, SURVEY_COUNT };

struct survey_scale {
	const char *name;	/* "csat", "nps", "ces" */
	int min, max;		/* the scores offered */
};

/* The scale of s (s < SURVEY_COUNT). */
const struct survey_scale *survey_scale(enum survey s);
/* The survey named name ("nps", any case): true and *s, or false. */
bool survey_parse(const char *name, enum survey *s);

#endif
