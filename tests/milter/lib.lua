-- lib.lua - helpers for the miltertest scripts.
-- Each check prints a TAP line without a number; protocol.sh numbers them.
-- Globals from miltertest -D: socket (milter socket spec).

function check(cond, desc)
	if cond then
		mt.echo("ok - " .. desc)
	else
		mt.echo("not ok - " .. desc)
	end
	return cond
end

function must(result, what)
	if result ~= nil then
		error(what .. ": " .. tostring(result))
	end
end

function open_connection()
	local conn = mt.connect(socket, 20, 0.25)
	if conn == nil then
		error("cannot connect to " .. socket)
	end
	must(mt.conninfo(conn, "client.example.net", "192.0.2.10"), "conninfo")
	return conn
end

-- Sends one message up to end of headers.  headers: list of {name, value}.
-- Returns the reply after DATA when it was not CONTINUE (mail not ours).
function send_envelope(conn, qid, from, rcpts, login)
	if login then
		mt.macro(conn, SMFIC_MAIL, "i", qid, "{auth_authen}", login)
	else
		mt.macro(conn, SMFIC_MAIL, "i", qid)
	end
	must(mt.mailfrom(conn, from), "mailfrom")
	for _, r in ipairs(rcpts) do
		mt.macro(conn, SMFIC_RCPT, "i", qid)
		must(mt.rcptto(conn, r), "rcptto")
	end
	must(mt.data(conn), "data")
	return mt.getreply(conn)
end

-- Body chunks as an MTA sends them: at most 65535 bytes each.  Returns
-- the daemon's reply to the last chunk, or the first that was not CONTINUE.
function send_body(conn, body)
	local i = 1
	while i <= #body do
		must(mt.bodystring(conn, string.sub(body, i, i + 65534)), "body")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn)
		end
		i = i + 65535
	end
	return SMFIR_CONTINUE
end

-- login: the SMTP AUTH login ({auth_authen}), or nil for none.
function send_message(conn, qid, from, rcpts, headers, body, login)
	local r = send_envelope(conn, qid, from, rcpts, login)
	if r ~= SMFIR_CONTINUE then
		return r
	end
	for _, h in ipairs(headers) do
		must(mt.header(conn, h[1], h[2]), "header " .. h[1])
	end
	must(mt.eoh(conn), "eoh")
	r = send_body(conn, body)
	if r ~= SMFIR_CONTINUE then
		return r
	end
	must(mt.eom(conn), "eom")
	return mt.getreply(conn)
end
