-- basic.lua - negotiation, a new ticket, a follow-up and a second customer
-- on ONE connection, an aborted message, and mail for no queue.
dofile(libdir .. "/lib.lua")

local conn = open_connection()
check(mt.test_action(conn, SMFIF_ADDHDRS) and mt.test_action(conn, SMFIF_CHGHDRS),
      "negotiates adding and changing headers")
check(mt.test_action(conn, SMFIF_ADDRCPT) and mt.test_action(conn, SMFIF_DELRCPT) and
      mt.test_action(conn, SMFIF_CHGFROM) and mt.test_action(conn, SMFIF_CHGBODY) and
      not mt.test_action(conn, SMFIF_QUARANTINE),
      "asks for recipient, sender and body changes (agent replies), nothing more")
check(mt.test_option(conn, SMFIP_NOHELO), "skips HELO")

-- 1: a new ticket, with a forged X-Ticket header from outside
local r = send_message(conn, "4QID0001", "<anna@example.org>", {"<support@example.com>"}, {
	{"From", "Anna <anna@example.org>"},
	{"To", "support@example.com"},
	{"Subject", "Printer on fire"},
	{"Message-ID", "<m1@example.org>"},
	{"X-Ticket-Status", "resolved"},
}, "The printer in room 12 is smoking.\r\n")
check(r == SMFIR_CONTINUE, "new ticket: end of message continues")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID", "SUP-1001"), "new ticket: X-Ticket-ID SUP-1001")
check(mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[SUP-1001] Printer on fire"), "new ticket: subject tagged")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-Status", "new"), "new ticket: status header")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-Queue", "support"), "new ticket: queue header")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Ticket-Status"), "new ticket: forged X-Ticket-Status removed")
check(mt.eom_check(conn, MT_HDRADD, "Reply-To"), "new ticket: Reply-To added")
local reply_to = mt.getheader(conn, "Reply-To", 0)
check(reply_to ~= nil and string.find(reply_to, "support%+sup%-1001%-[a-z2-7]+@example.com") ~= nil,
      "new ticket: Reply-To is the signed gateway address (" .. tostring(reply_to) .. ")")

-- 2: the follow-up, same connection
r = send_message(conn, "4QID0002", "<anna@example.org>", {"<support@example.com>"}, {
	{"From", "anna@example.org"},
	{"Subject", "Re: [SUP-1001] Printer on fire"},
	{"Message-ID", "<m2@example.org>"},
	{"In-Reply-To", "<m1@example.org>"},
}, "Still smoking.\r\n")
check(r == SMFIR_CONTINUE, "follow-up: continues")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID", "SUP-1001"), "follow-up: same ticket on the same connection")
check(not mt.eom_check(conn, MT_HDRCHANGE, "Subject"), "follow-up: tagged subject not touched")

-- 3: an aborted message leaves nothing behind
send_envelope(conn, "4QID0003", "<ghost@example.org>", {"<support@example.com>"})
must(mt.header(conn, "From", "ghost@example.org"), "header")
must(mt.abort(conn), "abort")

-- 4: another customer, same connection
r = send_message(conn, "4QID0004", "<carl@example.net>", {"<help@example.com>"}, {
	{"From", "Carl <carl@example.net>"},
	{"Subject", "=?UTF-8?Q?K=C3=A4se?="},
	{"Message-ID", "<c1@example.net>"},
}, "Hallo.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID", "SUP-1002"),
      "third message on the connection: new ticket SUP-1002")
check(mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[SUP-1002] =?UTF-8?Q?K=C3=A4se?="),
      "encoded subject keeps its encoding")

-- 5: redelivery of message 1
r = send_message(conn, "4QID0005", "<anna@example.org>", {"<support@example.com>"}, {
	{"From", "Anna <anna@example.org>"},
	{"Subject", "Printer on fire"},
	{"Message-ID", "<m1@example.org>"},
}, "The printer in room 12 is smoking.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID", "SUP-1001") and
      mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[SUP-1001] Printer on fire"),
      "redelivery leaves with the same tag and headers")

-- 6: mail for no queue is accepted at DATA, untouched
r = send_envelope(conn, "4QID0006", "<x@example.org>", {"<someone@example.net>"})
check(r == SMFIR_ACCEPT, "mail for no queue: accepted at DATA, the milter's work ends there")
mt.disconnect(conn)
