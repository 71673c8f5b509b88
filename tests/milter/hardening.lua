-- hardening.lua - hostile input for the parser through the real daemon,
-- built here at run time; hardening.sh starts the daemon and checks its
-- memory, CPU time, store and acknowledgements.  (miltertest cannot send
-- a header field over about 1 KB: many fields of 13 encoded words each.)
-- Globals from -D: case, and for "spray" first (the first label number)
-- and messages; for "html" unit (the text repeated) and n (a number for
-- the addresses); for "duplicate" want (the tagged subject); for
-- "language" lang, want (the locale) and n.
dofile(libdir .. "/lib.lua")

local function send(conn, qid, from, headers, body)
	return send_message(conn, qid, from, {"<support@example.com>"}, headers, body)
end

local conn = open_connection()

if case == "spray" then
	-- Every encoded word with a charset label of its own, 61 bytes long:
	-- 500 fields of 13 per message.  The messages are one redelivered
	-- (same Message-ID and sender): the store does not grow with them.
	local k = tonumber(first)
	local all = true
	for m = 1, tonumber(messages) do
		local headers = {
			{"From", "Sprayer <spray@example.org>"},
			{"To", "support@example.com"},
			{"Subject", "labels"},
			{"Message-ID", "<spray@example.org>"},
		}
		for f = 1, 500 do
			local words = {}
			for w = 1, 13 do
				words[w] = "=?" .. string.format("x-%08d-", k) .. string.rep("l", 50) .. "?Q?a?="
				k = k + 1
			end
			headers[#headers + 1] = {"X-Spray", table.concat(words, " ")}
		end
		local r = send(conn, string.format("4QSPR%04d", m), "<spray@example.org>", headers, "Labels.\r\n")
		all = all and r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID")
	end
	check(all, "spray: " .. messages .. " messages with 6,500 distinct charset labels each, every one ticketed")
elseif case == "html" then
	-- An HTML part of 2 MB of one entity-like text without ';'.
	local html = "<html><body><p>" .. string.rep(unit, math.floor(2 * 1024 * 1024 / #unit)) .. "</p></body></html>\r\n"
	local r = send(conn, "4QHTM" .. n, "<html" .. n .. "@example.org>", {
		{"From", "Hilda <html" .. n .. "@example.org>"},
		{"To", "support@example.com"},
		{"Subject", "entities " .. n},
		{"Message-ID", "<html" .. n .. "@example.org>"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/html; charset=utf-8"},
	}, html)
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "html: 2 MB of '" .. unit .. "' in an HTML part: ticketed")
elseif case == "duplicate" then
	local r = send(conn, "4QDUPSUB", "<dup@example.org>", {
		{"From", "Dora <dup@example.org>"},
		{"To", "support@example.com"},
		{"Subject", "the first subject"},
		{"Message-ID", "<dup@example.org>"},
		{"Subject", "the second subject"},
	}, "Two subjects.\r\n")
	check(r == SMFIR_CONTINUE, "duplicate: ticketed")
	check(mt.eom_check(conn, MT_HDRCHANGE, "Subject", want),
	      "duplicate: the first Subject is tagged: " .. want)
elseif case == "language" then
	-- Text in no particular language: Content-Language decides.
	local r = send(conn, "4QLANG" .. n, "<lang" .. n .. "@example.org>", {
		{"From", "Customer <lang" .. n .. "@example.org>"},
		{"To", "support@example.com"},
		{"Subject", "Order 4711-" .. n},
		{"Message-ID", "<lang" .. n .. "@example.org>"},
		{"MIME-Version", "1.0"},
		{"Content-Language", lang},
		{"Content-Type", "text/plain; charset=utf-8"},
	}, "4711-" .. n .. "\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-Locale", want),
	      "language: Content-Language " .. lang .. " gives X-Ticket-Locale " .. want ..
	      " (" .. tostring(mt.getheader(conn, "X-Ticket-Locale", 0)) .. ")")
end
mt.disconnect(conn)
