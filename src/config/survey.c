/*
 * survey.c - the satisfaction surveys and their scales (survey.h).
 * Room: config.
 */
#include "config.h"
#include "config/survey.h"

#include <glib.h>

static const struct survey_scale scales[SURVEY_COUNT] = {
	[SURVEY_CSAT] = { "csat", 1, 5 },
	[SURVEY_NPS] = { "nps", 0, 10 },
	[SURVEY_CES] = { "ces", 1, 7 },
};

const struct survey_scale *survey_scale(enum survey s)
{
	return &scales[s < SURVEY_COUNT ? s : SURVEY_CSAT];
}

bool survey_parse(const char *name, enum survey *s)
{
	for (int i = 0; i < SURVEY_COUNT; i++)
		if (name && g_ascii_strcasecmp(name, scales[i].name) == 0) {
			*s = (enum survey)i;
			return true;
		}
	return false;
}
