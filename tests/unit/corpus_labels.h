/*
 * corpus_labels.h - which messages of ../shared/corpus are robots, of
 * which class, and which are people: decided by reading them (folder and
 * file names, what each project's own tests say of them, multipart/report),
 * never by the rules under test, so that the corpus test can say how
 * many of each class the rules let an acknowledgement go to.
 */
#ifndef TM_CORPUS_LABELS_H
#define TM_CORPUS_LABELS_H

enum corpus_class {
	CORPUS_HUMAN,
	CORPUS_BOUNCE,		/* DSNs, delay warnings, NDRs */
	CORPUS_AUTOREPLY,	/* out of office, challenge-response */
	CORPUS_LIST,		/* list traffic and bulk mail */
	CORPUS_REPORT,		/* read receipts, complaint and abuse reports */
	CORPUS_MACHINE,		/* notifications of systems and trackers */
	CORPUS_SPAM,		/* set apart: neither robot nor person */
	CORPUS_AMBIGUOUS,	/* set apart: nothing in the mail could tell */
	CORPUS_CLASSES
};

extern const char *const corpus_class_name[CORPUS_CLASSES];

/* The class of the message at path (relative to the corpus) whose top
 * content type the parser read; *note says why for the ambiguous. */
enum corpus_class corpus_class_of(const char *path, const char *content_type, const char **note);

#endif
