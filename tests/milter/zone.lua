-- zone.lua - a customer writes on the Friday evening before a daylight-
-- saving change (the daemon runs on the test clock, zone.sh).  -D from,
-- date, body, locale: the case.  Prints the X-Ticket-Due the daemon adds;
-- zone.sh checks the acknowledgement and the stored zone.
dofile(libdir .. "/lib.lua")

local conn = open_connection()
local r = send_message(conn, "4ZONE001", "<" .. from .. ">", {"<support@example.com>"}, {
	{"From", from},
	{"To", "support@example.com"},
	{"Subject", "Printer"},
	{"Message-ID", "<zone-1@" .. string.match(from, "@(.*)") .. ">"},
	{"Date", date},
	{"Content-Type", "text/plain; charset=utf-8"},
}, body .. "\r\n")
check(r == SMFIR_CONTINUE, from .. ": the mail opens a ticket")
check(mt.eom_check(conn, MT_HDRADD, "X-Ticket-Locale", locale), "in " .. locale)
mt.echo("X-Ticket-Due: " .. tostring(mt.getheader(conn, "X-Ticket-Due", 0)))
mt.disconnect(conn)
