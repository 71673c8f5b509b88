/*
 * snapshot.c - current configuration and reload (see snapshot.h).
 */
#include "config.h"
#include "milter/snapshot.h"
#include "compose/assets.h"
#include "util/log.h"

static GMutex snapshot_lock;
static struct settings *snapshot_current;

void snapshot_install(struct settings *s)
{
	struct settings *old;

	/* Before anyone else sees it: afterwards it is read without locks. */
	if (s && s->assets == NULL)
		s->assets = assets_prepare(s);
	g_mutex_lock(&snapshot_lock);
	old = snapshot_current;
	snapshot_current = s;
	g_mutex_unlock(&snapshot_lock);
	settings_unref(old);
}

struct settings *snapshot_acquire(void)
{
	struct settings *s;

	g_mutex_lock(&snapshot_lock);
	s = snapshot_current ? settings_ref(snapshot_current) : NULL;
	g_mutex_unlock(&snapshot_lock);
	return s;
}

int snapshot_reload(void)
{
	struct settings *cur = snapshot_acquire();
	GPtrArray *errors;
	struct settings *next;
	int rc = 0;

	if (cur == NULL) {
		log_warning("reload: no configuration installed yet; ignored");
		return -1;
	}
	errors = g_ptr_array_new_with_free_func(g_free);
	next = settings_load(cur->path, SETTINGS_LOAD_SECRET, errors);
	if (next == NULL) {
		for (guint i = 0; i < errors->len; i++)
			log_err("reload: %s", (char *)g_ptr_array_index(errors, i));
		log_err("reload of %s failed; keeping the running configuration", cur->path);
		rc = -1;
	} else {
		if (g_strcmp0(next->socket, cur->socket) != 0 || g_strcmp0(next->user, cur->user) != 0 ||
		    next->syslog != cur->syslog)
			log_warning("reload: socket, user and syslog changes take effect only after a restart");
		log_set_level(next->log_level);
		snapshot_install(next);
		log_info("configuration %s reloaded", cur->path);
	}
	settings_unref(cur);
	g_ptr_array_free(errors, TRUE);
	return rc;
}

void snapshot_release(void)
{
	snapshot_install(NULL);
}
