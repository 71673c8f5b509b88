/* report_fixture.c - writes the report's test store (tests/unit/
 * report_store.c) into a folder, for the browser test:
 *   report_fixture DIR   ->  DIR/ticket-milter.conf, DIR/secret, DIR/tickets.db */
#include "config.h"
#include "../unit/report_store.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct store *st;
	struct settings *s;

	if (argc != 2) {
		fprintf(stderr, "usage: report_fixture DIR\n");
		return 2;
	}
	if ((s = report_store_create(argv[1], &st)) == NULL)
		return 1;
	store_close(st);
	settings_unref(s);
	return 0;
}
