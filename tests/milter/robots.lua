-- robots.lua - sends each message of tests/fixtures/robots to the support
-- queue of the real daemon, one connection, one queue id each (4ROB0001,
-- ...): robots with a forwarder's envelope sender (their content must
-- give them away, not a null sender), people with their own address.
-- robots.sh checks the tickets, the log and the outbox.
-- Globals from -D: fixtures (the folder), files (names, comma-separated).
dofile(libdir .. "/lib.lua")

-- Headers as {name, value} (folded lines joined) and the body with CRLF.
local function read_message(path)
	local f = assert(io.open(path, "rb"))
	local raw = f:read("*a")
	f:close()
	local head, body = raw:match("^(.-)\n\n(.*)$")
	local headers = {}
	for line in (head .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") and #headers > 0 then
			headers[#headers][2] = headers[#headers][2] .. " " .. line:gsub("^[ \t]+", "")
		else
			local name, value = line:match("^([^:]+):[ \t]*(.*)$")
			table.insert(headers, {name, value})
		end
	end
	return headers, (body:gsub("\r?\n", "\r\n"))
end

local function from_address(headers)
	for _, h in ipairs(headers) do
		if h[1]:lower() == "from" then
			return h[2]:match("<([^>]*)>") or h[2]
		end
	end
	return "nobody@example.net"
end

local conn = open_connection()
local n = 0
for name in string.gmatch(files, "[^,]+") do
	n = n + 1
	local qid = string.format("4ROB%04d", n)
	local headers, body = read_message(fixtures .. "/" .. name)
	local from = "<relay@forwarder.example.net>"
	if name:match("^human%-") then
		from = "<" .. from_address(headers) .. ">"
	end
	local r = send_message(conn, qid, from, {"<support@example.com>"}, headers, body)
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"),
	      qid .. " " .. name .. ": accepted and ticketed")
end
mt.disconnect(conn)
