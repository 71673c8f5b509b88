-- error.lua - the store fails: the MTA gets the configured on-error answer.
-- Global: expect ("tempfail" or "accept").
dofile(libdir .. "/lib.lua")

local conn = open_connection()
local r = send_message(conn, "4QERR001", "<anna@example.org>", {"<support@example.com>"}, {
	{"From", "anna@example.org"},
	{"Subject", "store is broken"},
	{"Message-ID", "<err1@example.org>"},
}, "hello\r\n")
if expect == "tempfail" then
	-- smfi_setreply turns the tempfail into a reply code
	check(r == SMFIR_REPLYCODE or r == SMFIR_TEMPFAIL, "broken store: tempfail")
	check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0", "Ticket system temporarily unavailable, please try again later"),
	      "broken store: 451 4.3.0 reply")
else
	check(r == SMFIR_ACCEPT, "broken store with on-error = accept: accepted")
	check(not mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"), "broken store with on-error = accept: no ticket header")
end
mt.disconnect(conn)
