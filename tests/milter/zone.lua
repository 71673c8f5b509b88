-- zone.lua - a German customer writes on Friday 27 March 2026, 18:30 +0100,
-- two days before Berlin's clocks go forward (the daemon runs on the test
-- clock, zone.sh).  Prints the X-Ticket-Due the daemon adds; zone.sh
-- checks the acknowledgement and the stored zone.
dofile(libdir .. "/lib.lua")

local conn = open_connection()
local r = send_message(conn, "4ZONE001", "<kunde@example.de>", {"<support@example.com>"}, {
	{"From", "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <kunde@example.de>"},
	{"To", "support@example.com"},
	{"Subject", "Drucker druckt nicht"},
	{"Message-ID", "<zone-1@example.de>"},
	{"Date", "Fri, 27 Mar 2026 18:30:00 +0100"},
	{"Content-Type", "text/plain; charset=utf-8"},
}, "Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. "
	.. "Können Sie bitte helfen?\r\n")
check(r == SMFIR_CONTINUE, "the German customer's mail opens a ticket")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-Locale", "de"), "in German (X-Ticket-Locale: de)")
mt.echo("X-Ticket-Due: " .. tostring(mt.getheader(conn, "X-Ticket-Due", 0)))
mt.disconnect(conn)
