-- terminal.lua - a customer's message whose sender name, subject and body
-- carry what a terminal acts on: ESC sequences (clear the screen, retitle
-- the window, colours), BEL, U+0085 (NEL, a C1 control) and U+202E
-- (RIGHT-TO-LEFT OVERRIDE, which makes "fdp.exe" read "exe.pdf").
dofile(libdir .. "/lib.lua")

local ESC, NEL, RLO = "\27", "\194\133", "\226\128\174"
local conn = open_connection()
local r = send_message(conn, "4QTERM01", "<eve@example.org>", {"<support@example.com>"}, {
	{"From", "Eve" .. RLO .. "gnp.exe <eve@example.org>"},
	{"To", "support@example.com"},
	{"Subject", "Invoice " .. ESC .. "[2J" .. ESC .. "]0;pwned\7" .. NEL .. " due " .. RLO .. "fdp.exe"},
	{"Message-ID", "<term1@example.org>"},
	{"MIME-Version", "1.0"},
	{"Content-Type", "text/plain; charset=utf-8"},
}, "Hello " .. ESC .. "[31mred" .. ESC .. "[0m, line" .. NEL .. "next " .. RLO .. "txt.exe\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID", "SUP-1001"),
      "the message becomes SUP-1001")
mt.disconnect(conn)
