#!/usr/bin/python3
"""store_gen.py - fill a ticket-milter database (created by `ticketctl
init`, schema of src/store/schema.c) with TICKETS tickets and 5 messages
per ticket on average, directly in SQL, for bench/store-scale and
bench/report-scale.

    store_gen.py DATABASE TICKETS

What a store looks like after years of use: customers with about 2.5
tickets each, tickets in every status over three years, 1 to 9 messages
per ticket (5 on average) with realistic Message-IDs, senders and
excerpts in 14 languages (the customer's mail 'in', the agents' replies
'out' with our signed Message-IDs), participants, the event log (the
agents' replies, resolutions, a pending pause for one ticket in 13),
the lifecycle columns, ratings for a fifth of the tickets (csat, nps
and ces in turn), and one sent acknowledgement per ticket in the outbox
(3 KB, the size the daemon writes).  The rows go in with the secondary
indexes and the full-text trigger dropped, then the indexes are created
again from their own SQL and the full-text index is rebuilt, so that the
schema afterwards is exactly the one `ticketctl init` made.  Prints progress to stderr.
"""
import os
import random
import sqlite3
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workload import LANGS, AGENTS  # noqa: E402  realistic names, subjects, sentences

CHUNK = 50_000          # tickets per transaction and progress line
SPAN = 3 * 365 * 86400  # the tickets' creation times cover three years
DOMAINS = [v[1] for v in LANGS.values()]


def log(msg):
    print(f"{time.strftime('%H:%M:%S')} store_gen: {msg}", file=sys.stderr, flush=True)


def pools(db, rnd):
    """Small tables the INSERT ... SELECTs draw text from."""
    db.executescript("""
        CREATE TEMP TABLE pool_subject(i INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE pool_excerpt(i INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE pool_name(i INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE pool_domain(i INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE pool_agent(i INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE seq9(k INTEGER PRIMARY KEY);
    """)
    langs = list(LANGS.values())
    subjects = [s for lang in langs for s in lang[3]]
    db.executemany("INSERT INTO pool_subject VALUES (?, ?)", enumerate(subjects))
    excerpts = []
    for i in range(4000):
        lang = langs[i % len(langs)]
        n = rnd.randint(2, 12)
        excerpts.append(lang[5] + "\n\n" + " ".join(rnd.choice(lang[4]) for _ in range(n)) + "\n\n" + lang[6])
    db.executemany("INSERT INTO pool_excerpt VALUES (?, ?)", enumerate(excerpts))
    names = [n for lang in langs for n in lang[0]]
    db.executemany("INSERT INTO pool_name VALUES (?, ?)", enumerate(names))
    db.executemany("INSERT INTO pool_domain VALUES (?, ?)", enumerate(DOMAINS))
    db.executemany("INSERT INTO pool_agent VALUES (?, ?)", enumerate(a for _, a in AGENTS))
    db.executemany("INSERT INTO seq9 VALUES (?)", ((k,) for k in range(9)))
    return len(subjects), len(excerpts), len(names), len(DOMAINS), len(AGENTS)


def drop_secondary(db):
    """Drops the indexes (not the UNIQUE ones) and the full-text insert
    trigger; returns their SQL to create them again."""
    rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND"
                      " ((type = 'index') OR (type = 'trigger' AND name = 'messages_fts_insert'))").fetchall()
    for kind, name, _ in rows:
        db.execute(f"DROP {kind} {name}")
    return [sql for _, _, sql in rows]


def fill(db, tickets, sizes):
    n_subj, n_exc, n_name, n_dom, n_agent = sizes
    now = int(time.time())
    t_start = now - SPAN
    customers = max(1, tickets * 2 // 5)
    p = {"n_subj": n_subj, "n_exc": n_exc, "n_name": n_name, "n_dom": n_dom, "n_agent": n_agent,
         "customers": customers, "tickets": tickets, "t0": t_start, "span": SPAN, "now": now}

    log(f"{customers} customers")
    db.execute("""
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < :customers)
        INSERT INTO customers(id, address, name, locale, timezone, created, tier)
        SELECT i, printf('c%07d@', i) || (SELECT v FROM pool_domain WHERE i = c.i % :n_dom),
               (SELECT v FROM pool_name WHERE i = c.i % :n_name),
               CASE WHEN i % 3 = 0 THEN 'en' WHEN i % 3 = 1 THEN 'de' END, NULL,
               :t0 + (i * :span) / :customers, CASE WHEN i % 50 = 0 THEN 'vip' END
        FROM c""", p)

    done = 0
    started = time.time()
    while done < tickets:
        lo, hi = done + 1, min(done + CHUNK, tickets)
        q = dict(p, lo=lo, hi=hi)
        db.execute("""
            WITH RECURSIVE r(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM r WHERE i < :hi)
            INSERT INTO tickets(id, queue, tag, number, subject, status, priority, customer_id,
                                created, updated, locale, first_response_due, resolution_due,
                                assignee, first_response_at, first_response_kept, paused_at, resolved_at)
            SELECT i, 'support', 'SUP', 1000 + i, (SELECT v FROM pool_subject WHERE i = t.i % :n_subj),
                   t.status,
                   CASE WHEN i % 20 = 0 THEN 'high' WHEN i % 97 = 0 THEN 'urgent' ELSE 'normal' END,
                   1 + (i * 7919) % :customers,
                   t.created, t.created + 86400 * (i % 5),
                   CASE i % 4 WHEN 0 THEN 'de' WHEN 1 THEN 'tr' ELSE 'en' END,
                   t.created + 28800, t.created + 432000,
                   CASE WHEN i % 5 > 0 THEN (SELECT v FROM pool_agent WHERE i = (t.i + 1) % :n_agent) END,
                   CASE WHEN i % 5 > 0 THEN t.created + 3600 END,
                   CASE WHEN i % 5 > 0 THEN (i % 11 > 0) END,
                   CASE WHEN t.status = 'pending' THEN t.created + 7200 END,
                   CASE WHEN t.status IN ('resolved', 'closed') THEN t.created + 86400 * (i % 5) END
            FROM (SELECT i, :t0 + (i * :span) / :tickets AS created,
                         CASE WHEN i > :tickets - :tickets / 50
                              THEN (CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'open' ELSE 'pending' END)
                              WHEN i % 10 < 7 THEN 'closed' WHEN i % 10 < 9 THEN 'resolved' ELSE 'open' END AS status
                  FROM r) AS t""", q)
        # Messages: ticket i has 1 + 2 * (i % 5) of them (5 on average), the first from the
        # customer, later ones from the customer or an agent (both participants).
        db.execute("""
            WITH RECURSIVE t(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM t WHERE i < :hi)
            INSERT INTO messages(ticket_id, direction, message_id, sender, recipients, subject, date,
                                 received, excerpt, size, sha256, queue_id)
            SELECT i, CASE WHEN k % 2 = 1 THEN 'out' ELSE 'in' END,
                   CASE WHEN k % 2 = 1
                        THEN printf('tm.sup-%d.%s.%s@support.example.com', 1000 + i, lower(hex(randomblob(10))), lower(hex(randomblob(10))))
                        ELSE printf('%s.%d.%d@', lower(hex(randomblob(6))), i, k) || substr(c.address, instr(c.address, '@') + 1) END,
                   CASE WHEN k % 2 = 1 THEN (SELECT v FROM pool_agent WHERE i = (t.i + 1) % :n_agent) ELSE c.address END,
                   CASE WHEN k % 2 = 1 THEN c.address || ', ' || printf('support+sup-%d-%s@example.com', 1000 + i, lower(hex(randomblob(10))))
                        ELSE 'support@example.com' END,
                   CASE WHEN k = 0 THEN '' ELSE 'Re: [SUP-' || (1000 + i) || '] ' END ||
                       (SELECT v FROM pool_subject WHERE i = t.i % :n_subj),
                   :t0 + (i * :span) / :tickets + k * 3600, :t0 + (i * :span) / :tickets + k * 3600 + 2,
                   (SELECT v FROM pool_excerpt WHERE i = abs(random()) % :n_exc),
                   2000 + abs(random()) % 60000, lower(hex(randomblob(32))),
                   upper(hex(randomblob(5)))
            FROM t JOIN seq9 ON k < 1 + 2 * (t.i % 5)
                   JOIN customers c ON c.id = 1 + (t.i * 7919) % :customers""", q)
        db.execute("""
            WITH RECURSIVE t(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM t WHERE i < :hi)
            INSERT INTO participants(ticket_id, address, name, role, added)
            SELECT i, c.address, c.name, 'customer', :t0 + (i * :span) / :tickets
              FROM t JOIN customers c ON c.id = 1 + (t.i * 7919) % :customers
            UNION ALL
            SELECT i, (SELECT v FROM pool_agent WHERE i = (t.i + 1) % :n_agent), NULL, 'agent',
                   :t0 + (i * :span) / :tickets + 3600
              FROM t WHERE i % 5 > 0
            UNION ALL
            SELECT i, printf('colleague%d@', i) || (SELECT v FROM pool_domain WHERE i = t.i % :n_dom), NULL, 'cc',
                   :t0 + (i * :span) / :tickets
              FROM t WHERE i % 10 < 3""", q)
        db.execute("""
            WITH RECURSIVE t(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM t WHERE i < :hi)
            INSERT INTO events(ticket_id, at, actor, kind, detail)
            SELECT i, :t0 + (i * :span) / :tickets + k * 3600,
                   CASE WHEN k % 2 = 1 THEN (SELECT v FROM pool_agent WHERE i = (t.i + 1) % :n_agent)
                        ELSE 'customer@example.com' END,
                   CASE WHEN k = 0 THEN 'created' WHEN k % 2 = 1 THEN 'reply' ELSE 'message' END,
                   CASE WHEN k % 2 = 0 AND k > 0 THEN 'known-message-id' END
              FROM t JOIN seq9 ON k < 1 + 2 * (t.i % 5)
            UNION ALL
            SELECT i, :t0 + (i * :span) / :tickets + 86400 * (i % 5),
                   (SELECT v FROM pool_agent WHERE i = (t.i + 1) % :n_agent), 'status', 'open -> resolved'
              FROM t WHERE i % 10 < 9 AND i <= :tickets - :tickets / 50
            UNION ALL
            SELECT i, :t0 + (i * :span) / :tickets + 7200 + 10800 * k, 'customer@example.com', 'status',
                   CASE WHEN k = 0 THEN 'open -> pending' ELSE 'pending -> open' END
              FROM t JOIN seq9 ON k < 2 WHERE i % 13 = 0
            UNION ALL
            SELECT i, :t0 + (i * :span) / :tickets, 'ticket-milter', 'acknowledged',
                   printf('ack in en, message-id <tm.sup-%d.%s@support.example.com>', 1000 + i, lower(hex(randomblob(8))))
              FROM t""", q)
        db.execute("""
            WITH RECURSIVE t(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM t WHERE i < :hi)
            INSERT INTO outbox(ticket_id, kind, envelope_from, recipient, message_id, message, created,
                               state, attempts, next_attempt, last_error, done)
            SELECT i, 'ack', '', c.address,
                   printf('tm.sup-%d.%s.%s@support.example.com', 1000 + i, lower(hex(randomblob(10))), lower(hex(randomblob(10)))),
                   zeroblob(2500 + abs(random()) % 1200), :t0 + (i * :span) / :tickets, 'sent', 1,
                   :t0 + (i * :span) / :tickets, NULL, :t0 + (i * :span) / :tickets + 1
              FROM t JOIN customers c ON c.id = 1 + (t.i * 7919) % :customers""", q)
        db.execute("""
            WITH RECURSIVE t(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM t WHERE i < :hi)
            INSERT INTO ratings(ticket_id, scale, rating, comment, at)
            SELECT i, CASE i % 3 WHEN 0 THEN 'csat' WHEN 1 THEN 'nps' ELSE 'ces' END,
                   CASE i % 3 WHEN 0 THEN 1 + abs(random()) % 5 WHEN 1 THEN abs(random()) % 11 ELSE 1 + abs(random()) % 7 END,
                   CASE WHEN i % 3 = 0 THEN 'Thank you, quick and friendly.' END,
                   :t0 + (i * :span) / :tickets + 86400 * 3
              FROM t WHERE i % 10 < 2 AND i <= :tickets - :tickets / 50""", q)
        done = hi
        rate = done / (time.time() - started)
        log(f"{done} of {tickets} tickets ({rate:.0f}/s, {(tickets - done) / rate:.0f} s to go)")
    db.execute("INSERT OR REPLACE INTO ticket_numbers(tag, last) VALUES ('SUP', ?)", (1000 + tickets,))


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    path, tickets = argv[1], int(argv[2])
    rnd = random.Random(f"store-{tickets}")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;"
                     " PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;")
    if db.execute("SELECT count(*) FROM tickets").fetchone()[0]:
        sys.exit(f"store_gen: {path} already holds tickets")
    # Without a journal every statement is its own cheap transaction.
    sizes = pools(db, rnd)
    recreate = drop_secondary(db)
    fill(db, tickets, sizes)
    log("creating the indexes again")
    for sql in recreate:
        if not sql.upper().startswith("CREATE TRIGGER"):
            db.execute(sql)
    log("rebuilding the full-text index")
    db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    db.execute("UPDATE search_index SET last_id = (SELECT coalesce(max(id), 0) FROM messages)")
    for sql in recreate:
        if sql.upper().startswith("CREATE TRIGGER"):
            db.execute(sql)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    log(f"done: {os.path.getsize(path) / 1e9:.2f} GB")


if __name__ == "__main__":
    main(sys.argv)
