/*
 * snapshot.c - current configuration, its assets, and reload (see
 * snapshot.h).  Room: daemon.
 */
#include "config.h"
#include "daemon/snapshot.h"
#include "compose/assets.h"
#include "util/log.h"

static GMutex snapshot_lock;
static struct snapshot *snapshot_current;

void snapshot_install(struct settings *s)
{
	struct snapshot *snap = NULL, *old;

	/* Before anyone else sees it: afterwards it is read without locks. */
	if (s) {
		snap = g_new0(struct snapshot, 1);
		snap->settings = s;
		snap->assets = assets_prepare(s);
		snap->refs = 1;
	}
	g_mutex_lock(&snapshot_lock);
	old = snapshot_current;
	snapshot_current = snap;
	g_mutex_unlock(&snapshot_lock);
	snapshot_unref(old);
}

struct snapshot *snapshot_acquire(void)
{
	struct snapshot *snap;

	g_mutex_lock(&snapshot_lock);
	snap = snapshot_current;
	if (snap)
		g_atomic_int_inc(&snap->refs);
	g_mutex_unlock(&snapshot_lock);
	return snap;
}

void snapshot_unref(struct snapshot *snap)
{
	if (snap == NULL || !g_atomic_int_dec_and_test(&snap->refs))
		return;
	assets_free(snap->assets);
	settings_unref(snap->settings);
	g_free(snap);
}

struct settings *snapshot_acquire_settings(void)
{
	struct snapshot *snap = snapshot_acquire();
	struct settings *s = snap ? settings_ref(snap->settings) : NULL;

	snapshot_unref(snap);
	return s;
}

int snapshot_reload(void)
{
	struct settings *cur = snapshot_acquire_settings();
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
