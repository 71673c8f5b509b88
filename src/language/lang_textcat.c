/*
 * lang_textcat.c - libexttextcat's fingerprints for lang_read.c (see
 * lang_textcat.h).
 * Room: language.
 */
#include "config.h"
#include "language/lang_textcat.h"

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libexttextcat/fingerprint.h>

/* As many n-grams as libexttextcat's own fingerprints hold, and as it
 * keeps of a text (its MAXNGRAMS). */
#define LANG_TEXTCAT_NGRAMS 400

/* One fingerprint, named by its file: "de.lm", "zh-Hans.lm", "ha-NG.lm". */
struct lang_textcat_model {
	char *language;		/* "zh", lower case */
	char *script;		/* "hans", or "" */
	void *fingerprint;	/* libexttextcat's */
};

struct lang_textcat {
	struct lang_textcat_model *models;
	size_t count;
};

struct lang_textcat_sample {
	void *fingerprint;
	int worst;
};

/* Splits "zh-Hans" into its language and script subtags, lower case; a
 * region ("ha-NG") is dropped.  False for a name that is no tag. */
static bool lang_textcat_parse_name(const char *name, struct lang_textcat_model *model)
{
	gchar **parts = g_strsplit(name, "-", 3);
	bool ok = parts[0] != NULL && strlen(parts[0]) >= 2 && strlen(parts[0]) <= 3;

	if (ok) {
		model->language = g_ascii_strdown(parts[0], -1);
		model->script = parts[1] && strlen(parts[1]) == 4 ? g_ascii_strdown(parts[1], -1) : g_strdup("");
	}
	g_strfreev(parts);
	return ok;
}

static int lang_textcat_model_order(gconstpointer a, gconstpointer b)
{
	const struct lang_textcat_model *x = a, *y = b;
	int by_language = strcmp(x->language, y->language);

	return by_language ? by_language : strcmp(x->script, y->script);
}

/* Reads one fingerprint file of the directory dir_fd.  The daemon reads
 * them as root (lang_init() runs before it drops privileges), so neither
 * the directory nor a file may be a symbolic link: the file is opened
 * here with O_NOFOLLOW, and libexttextcat, which takes only a path, reads
 * it through its descriptor. */
static bool lang_textcat_read(int dir_fd, const char *entry, void *fingerprint)
{
	int fd = openat(dir_fd, entry, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char path[64];
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	g_snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ok = ok && fp_Read(fingerprint, path, LANG_TEXTCAT_NGRAMS);
	close(fd);
	return ok;
}

/* Every "*.lm" file of dir; NULL when there is none. */
static gpointer lang_textcat_load(gpointer dir_name)
{
	int dir_fd = open(dir_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir = dir_fd >= 0 ? fdopendir(dup(dir_fd)) : NULL;
	GArray *models = g_array_new(FALSE, TRUE, sizeof(struct lang_textcat_model));
	struct lang_textcat *loaded;
	const struct dirent *entry;

	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		struct lang_textcat_model model = { 0 };
		char *name;

		if (!g_str_has_suffix(entry->d_name, ".lm"))
			continue;
		name = g_strndup(entry->d_name, strlen(entry->d_name) - 3);
		if (lang_textcat_parse_name(name, &model)) {
			model.fingerprint = fp_Init(name);
			if (model.fingerprint != NULL && lang_textcat_read(dir_fd, entry->d_name, model.fingerprint)) {
				g_array_append_val(models, model);
			} else {
				if (model.fingerprint != NULL)
					fp_Done(model.fingerprint);
				g_free(model.language);
				g_free(model.script);
			}
		}
		g_free(name);
	}
	if (dir != NULL)
		closedir(dir);
	if (dir_fd >= 0)
		close(dir_fd);
	if (models->len == 0) {
		g_array_free(models, TRUE);
		return NULL;
	}
	g_array_sort(models, lang_textcat_model_order);
	loaded = g_new(struct lang_textcat, 1);
	loaded->count = models->len;
	loaded->models = (struct lang_textcat_model *)(void *)g_array_free(models, FALSE);
	return loaded;
}

const struct lang_textcat *lang_textcat_models(void)
{
	/* Written once, then only read: see lang_textcat.h. */
	static GOnce once = G_ONCE_INIT;

	return g_once(&once, lang_textcat_load, (gpointer)TEXTCAT_DATADIR);
}

static bool lang_textcat_has_letter(const char *text)
{
	for (const char *p = text; *p; p = g_utf8_next_char(p))
		if (g_unichar_isalpha(g_utf8_get_char(p)))
			return true;
	return false;
}

struct lang_textcat_sample *lang_textcat_sample_new(const char *text, size_t len)
{
	struct lang_textcat_sample *sample;
	const char *cut;
	void *empty;
	char *lower;

	if (text == NULL || len == 0)
		return NULL;
	/* Not through a character: text is valid UTF-8 (lang_read.c), so a
	 * continuation byte at the cut means its character started before. */
	cut = text + strnlen(text, len);
	while (cut > text && ((unsigned char)*cut & 0xc0) == 0x80)
		cut--;
	/* Case says little about the language and much about the writer's
	 * keyboard (subjects in capitals); the fingerprints are mostly lower
	 * case. */
	lower = g_utf8_strdown(text, cut - text);
	if (!lang_textcat_has_letter(lower)) {
		g_free(lower);
		return NULL;
	}
	sample = g_new0(struct lang_textcat_sample, 1);
	sample->fingerprint = fp_Init(NULL);
	fp_SetProperty(sample->fingerprint, TCPROP_UTF8AWARE, TC_TRUE);
	if (!fp_Create(sample->fingerprint, lower, (uint4)strlen(lower), LANG_TEXTCAT_NGRAMS)) {
		g_free(lower);
		lang_textcat_sample_free(sample);
		return NULL;
	}
	g_free(lower);
	/* Compared with a fingerprint without n-grams, every one of the
	 * sample's is out of place. */
	empty = fp_Init(NULL);
	sample->worst = fp_Compare(empty, sample->fingerprint, INT_MAX);
	fp_Done(empty);
	return sample;
}

void lang_textcat_sample_free(struct lang_textcat_sample *sample)
{
	if (sample == NULL)
		return;
	fp_Done(sample->fingerprint);
	g_free(sample);
}

int lang_textcat_sample_worst(const struct lang_textcat_sample *sample)
{
	return sample->worst;
}

/* The first model of a language in the sorted array, or NULL. */
static const struct lang_textcat_model *lang_textcat_first(const struct lang_textcat *models, const char *language)
{
	size_t low = 0, high = models->count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (strcmp(models->models[middle].language, language) < 0)
			low = middle + 1;
		else
			high = middle;
	}
	return low < models->count && strcmp(models->models[low].language, language) == 0 ? &models->models[low]
											 : NULL;
}

int lang_textcat_distance(const struct lang_textcat *models, const char *language, const char *script,
			  const struct lang_textcat_sample *sample, int cutoff)
{
	const struct lang_textcat_model *first, *end, *plain = NULL, *scripted = NULL;
	int nearest = INT_MAX;

	if (models == NULL || sample == NULL || (first = lang_textcat_first(models, language)) == NULL)
		return -1;
	end = models->models + models->count;
	for (const struct lang_textcat_model *m = first; m < end && strcmp(m->language, language) == 0; m++) {
		if (script[0] && strcmp(m->script, script) == 0)
			scripted = m;
		else if (!m->script[0])
			plain = m;
	}
	if (scripted != NULL || plain != NULL)
		return fp_Compare((scripted ? scripted : plain)->fingerprint, sample->fingerprint, cutoff);
	for (const struct lang_textcat_model *m = first; m < end && strcmp(m->language, language) == 0; m++)
		nearest = MIN(nearest, fp_Compare(m->fingerprint, sample->fingerprint, cutoff));
	return nearest;
}
