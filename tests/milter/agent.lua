-- agent.lua - agent mail through the real daemon: an authenticated reply
-- is rewritten for the customer (recipients, From, body without command
-- lines), a spoofed one is a customer's mail, a note reaches agents only,
-- a rating is discarded after it is recorded.
dofile(libdir .. "/lib.lua")

local conn = open_connection()

-- A customer opens a ticket; its Reply-To carries the gateway address.
local r = send_message(conn, "4AGT0001", "<anna@example.org>", {"<support@example.com>"}, {
	{"From", "Anna <anna@example.org>"},
	{"Subject", "Printer on fire"},
	{"Message-ID", "<agt-a1@example.org>"},
}, "It smokes.\r\n")
check(r == SMFIR_CONTINUE, "customer mail opens a ticket")
local gateway = string.match(mt.getheader(conn, "Reply-To", 0) or "", "<(support%+[^>]+)>")
check(gateway ~= nil, "its Reply-To gives the gateway address (" .. tostring(gateway) .. ")")
gateway = gateway or "support@example.com"

-- The agent's reply, authenticated by SMTP AUTH.
r = send_message(conn, "4AGT0002", "<alice@example.com>", {"<" .. gateway .. ">"}, {
	{"From", "Alice Agent <alice@example.com>"},
	{"To", gateway},
	{"Subject", "Re: [SUP-1001] Printer on fire"},
	{"Message-ID", "<agt-r1@mail.example.com>"},
	{"In-Reply-To", "<agt-a1@example.org>"},
}, "#priority urgent\r\n\r\nPlease switch it off and on again.\r\n", "alice")
check(r == SMFIR_CONTINUE, "agent reply: continues")
check(mt.eom_check(conn, MT_RCPTDELETE, "<" .. gateway .. ">"), "agent reply: the gateway recipient is removed")
check(mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"), "agent reply: the customer is added")
check(mt.eom_check(conn, MT_HDRCHANGE, "From"), "agent reply: From rewritten")
local from = mt.getheader(conn, "From", 0)
check(from == nil or string.find(from, "via Example Support", 1, true) ~= nil, "agent reply: From is \"Agent via Queue\"")
check(mt.eom_check(conn, MT_HDRCHANGE, "Message-ID"), "agent reply: a new Message-ID")
check(mt.eom_check(conn, MT_BODYCHANGE), "agent reply: body replaced (command line removed)")

-- The same From without authentication.
r = send_message(conn, "4AGT0003", "<alice@example.com>", {"<support@example.com>"}, {
	{"From", "Alice Agent <alice@example.com>"},
	{"Subject", "Re: [SUP-1001] Printer on fire"},
	{"Message-ID", "<agt-s1@evil.example>"},
}, "#status closed\r\n")
check(r == SMFIR_CONTINUE and not mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>") and
      not mt.eom_check(conn, MT_BODYCHANGE) and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
      "spoofed agent: treated as customer mail, nothing rewritten")

-- A note to the gateway's -note address with the customer in Cc.
local note = string.gsub(gateway, "@", "-note@")
r = send_message(conn, "4AGT0004", "<alice@example.com>", {"<" .. note .. ">", "<anna@example.org>"}, {
	{"From", "Alice Agent <alice@example.com>"},
	{"Subject", "internal"},
	{"Message-ID", "<agt-n1@mail.example.com>"},
}, "The customer sounds upset.\r\n", "alice")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, "<anna@example.org>") and
      mt.eom_check(conn, MT_RCPTADD, "<bob@example.com>"),
      "note: the customer is removed, the other agent added")

-- A command-only reply: applied, delivered to nobody.
r = send_message(conn, "4AGT0005", "<alice@example.com>", {"<" .. gateway .. ">"}, {
	{"From", "alice@example.com"},
	{"Subject", "Re: [SUP-1001]"},
	{"Message-ID", "<agt-c1@mail.example.com>"},
}, "#status pending\r\n", "alice")
check(r == SMFIR_DISCARD, "command-only reply: recorded, discarded")
mt.disconnect(conn)
