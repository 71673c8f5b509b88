-- limits.lua - hostile and huge messages through the real daemon, built
-- here at run time: header bytes, header count, a long header line,
-- 10,000 MIME parts, nesting 500 deep, a message over max-message-size,
-- broken charsets, an encoded CR/LF.  limits.sh starts the daemons and
-- checks logs, store and acknowledgements.  (miltertest cannot send a
-- header field or take a reply packet over about 1 KB: the 100 KB
-- Subject, the long id lists and the big agent reply are in
-- tests/e2e/limits.sh, through Postfix.)
-- Global from -D: case (one of those below).
dofile(libdir .. "/lib.lua")

local function send_big(conn, qid, from, headers, body, login, rcpt)
	return send_message(conn, qid, from, {rcpt or "<support@example.com>"}, headers, body, login)
end

-- Each case writes from its own address: one acknowledgement each.
local function customer(subject, id)
	return {
		{"From", "Carla Customer <" .. id .. "@example.org>"},
		{"To", "support@example.com"},
		{"Subject", subject},
		{"Message-ID", "<" .. id .. "@example.org>"},
		{"MIME-Version", "1.0"},
	}
end

local function with(headers, more)
	for _, h in ipairs(more) do
		table.insert(headers, h)
	end
	return headers
end

local function parts_body(n)
	local t = {"--XX\r\nContent-Type: text/plain\r\n\r\nThe first of many parts.\r\n"}
	for i = 2, n do
		t[#t + 1] = "--XX\r\nContent-Type: text/plain\r\n\r\npart " .. i .. "\r\n"
	end
	t[#t + 1] = "--XX--\r\n"
	return table.concat(t)
end

local function nested_body(depth)
	local t = {}
	for i = 1, depth - 1 do
		t[#t + 1] = "--b" .. (i - 1) .. "\r\nContent-Type: multipart/mixed; boundary=b" .. i .. "\r\n\r\n"
	end
	t[#t + 1] = "--b" .. (depth - 1) .. "\r\nContent-Type: text/plain\r\n\r\nAt the bottom.\r\n"
	for i = depth - 1, 0, -1 do
		t[#t + 1] = "--b" .. i .. "--\r\n"
	end
	return table.concat(t)
end

local function filler(bytes)
	return string.rep("All work and no play makes Jack a dull boy.\r\n", math.floor(bytes / 46) + 1)
end

-- A big message under AddressSanitizer on a loaded machine takes a while.
mt.set_timeout(120)
local conn = open_connection()
local r

if case == "crlf" then
	-- An encoded word that decodes to CR LF and a header of its own:
	-- the tagged Subject keeps it encoded, so it splits nothing.
	local evil = "=?UTF-8?B?aGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUub3JnDQoNCmluamVjdGVk?="
	r = send_big(conn, "4QLIMCRL", "<eve@example.org>", {
		{"From", "=?UTF-8?B?RXZlDQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?= <eve@example.org>"},
		{"To", "support@example.com"},
		{"Subject", evil},
		{"Message-ID", "<crlf@example.org>"},
	}, "Hello.\r\n")
	check(r == SMFIR_CONTINUE, "encoded CR/LF: ticketed")
	-- Folded before it, to stay within 78 bytes a line (header_fold.h).
	check(mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[SUP-1001]\n " .. evil),
	      "encoded CR/LF: the tagged Subject keeps the encoded word as it was")
	check(not mt.eom_check(conn, MT_HDRADD, "Bcc") and not mt.eom_check(conn, MT_RCPTADD),
	      "encoded CR/LF: no header and no recipient added")
elseif case == "header-bytes" then
	-- 1400 fields of 400 bytes, then a forged X-Ticket-ID.
	local h = customer("big header", "hbytes")
	for i = 1, 1400 do
		h[#h + 1] = {"X-Filler-" .. i, string.rep("x", 400)}
	end
	h[#h + 1] = {"X-Ticket-ID", "SUP-4242"}
	r = send_big(conn, "4QLIMHBY", "<carla@example.org>", h, "The text after a big header.\r\n")
	check(r == SMFIR_CONTINUE, "max-header-bytes: ticketed")
	check(mt.eom_check(conn, MT_HDRDELETE, "X-Ticket-ID") and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "max-header-bytes: the forged X-Ticket-ID past the limit is removed")
elseif case == "header-count" then
	-- 12,000 small fields.
	local h = customer("many header fields", "hcount")
	for i = 1, 12000 do
		h[#h + 1] = {"X-Many", tostring(i)}
	end
	r = send_big(conn, "4QLIMHCN", "<carla@example.org>", h, "The text after many fields.\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"), "max-headers: ticketed")
elseif case == "header-line" then
	-- One header field of 1000 bytes (max-header-line is 512 here).
	r = send_big(conn, "4QLIMHLN", "<carla@example.org>",
		     customer("long " .. string.rep("subject ", 124), "hline"), "The text after a long subject.\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "max-header-line: ticketed")
	check(mt.eom_check(conn, MT_HDRCHANGE, "Subject"), "max-header-line: the Subject is rewritten, shortened")
elseif case == "parts" then
	r = send_big(conn, "4QLIMPRT", "<carla@example.org>",
		     with(customer("ten thousand parts", "parts"), {{"Content-Type", "multipart/mixed; boundary=XX"}}),
		     parts_body(10000))
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "max-mime-parts: 10,000 parts ticketed")
elseif case == "depth" then
	r = send_big(conn, "4QLIMDEP", "<carla@example.org>",
		     with(customer("deep", "depth"), {{"Content-Type", "multipart/mixed; boundary=b0"}}), nested_body(500))
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "max-mime-depth: 500 deep ticketed")
elseif case == "size" then
	-- 3 MB, over max-message-size (1M here): recorded from its start.
	r = send_big(conn, "4QLIMSIZ", "<carla@example.org>", customer("three megabytes", "size"),
		     "The text at the top of a big message.\r\n" .. filler(3 * 1024 * 1024))
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "max-message-size: ticketed from its first megabyte")
elseif case == "charsets" then
	-- Invalid UTF-8 and mislabeled charsets in headers, body and file names.
	r = send_big(conn, "4QLIMUTF", "<charsets@example.org>", {
		{"From", "=?x-unknown?Q?Ren=E9?= \255\254 <charsets@example.org>"},
		{"To", "support@example.com"},
		{"Subject", "Caf\233 \255\254 =?utf-8?B?/w==?= =?koi8-r?Q?=F0=D2=C9?="},
		{"Message-ID", "<utf@example.org>"},
		{"Content-Type", "multipart/mixed; boundary=U"},
	}, "--U\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nna\239ve caf\233 \255\r\n" ..
	   "--U\r\nContent-Type: application/octet-stream; name*=x-bogus''%FF%00.bin\r\n" ..
	   "Content-Disposition: attachment; filename=\"\255\254\1.bin\"\r\n\r\n\0\1\2\r\n--U--\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "broken charsets everywhere: ticketed")
elseif case == "reject-parts" then
	r = send_big(conn, "4QREJPRT", "<carla@example.org>",
		     with(customer("parts", "rparts"), {{"Content-Type", "multipart/mixed; boundary=XX"}}), parts_body(2000))
	check(r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "554", "5.6.0",
					       "Message structure exceeds the ticket system's limits"),
	      "on-limit = reject: 2000 parts refused with 554 5.6.0")
elseif case == "reject-size" then
	r = send_big(conn, "4QREJSIZ", "<carla@example.org>", customer("big", "rsize"), filler(3 * 1024 * 1024))
	check(r == SMFIR_REPLYCODE, "on-limit = reject: over max-message-size refused while the body arrives")
elseif case == "accept-depth" then
	r = send_big(conn, "4QACCDEP", "<carla@example.org>",
		     with(customer("deep", "adepth"), {{"Content-Type", "multipart/mixed; boundary=b0"}}), nested_body(500))
	check(r == SMFIR_ACCEPT and not mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "on-limit = accept: 500 deep passes untouched")
elseif case == "tempfail-count" then
	local h = customer("many header fields", "thcount")
	for i = 1, 1000 do
		h[#h + 1] = {"X-Many", tostring(i)}
	end
	r = send_big(conn, "4QTMPHCN", "<carla@example.org>", h, "Hello.\r\n")
	check(r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "451", "4.6.0",
					       "Message exceeds the ticket system's limits, try again later"),
	      "on-limit = tempfail: 1000 header fields get 451 4.6.0")
elseif case == "nospool" then
	r = send_big(conn, "4QNOSPOL", "<carla@example.org>", customer("no spool", "nospool"), filler(200 * 1024))
	check(r == SMFIR_REPLYCODE, "spool directory missing: a message past spool-memory is tempfailed")
	r = send_big(conn, "4QNOSSML", "<carla@example.org>", customer("small", "nospool-small"), "Small enough.\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      "spool directory missing: a small message is still ticketed")
end
mt.disconnect(conn)
