-- trust.lua - the evidence rules through the real daemon (trust.sh runs
-- each case with -D case=NAME; the store is checked by trust.sh).
-- The daemon trusts Authentication-Results of authserv-id mx.example.com.
dofile(libdir .. "/lib.lua")

local conn = open_connection()

-- The value of a header as the message leaves (nil when none).
local function header(name)
	return mt.getheader(conn, name, 0)
end

local function gateway_of()
	return string.match(header("Reply-To") or "", "<(support%+[^>]+)>")
end

local OURS_PASS = "mx.example.com; dkim=pass header.d=example.org header.s=s1; dmarc=pass header.from=example.org"

if case == "forged" then
	-- Anna opens a ticket; Mallory writes as Anna from anywhere, with
	-- the tag, and puts herself in Cc.
	local r = send_message(conn, "4TR00001", "<anna@example.org>", {"<support@example.com>"}, {
		{"From", "Anna <anna@example.org>"},
		{"Subject", "Printer on fire"},
		{"Message-ID", "<tr-a1@example.org>"},
	}, "It smokes.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") == "SUP-1001", "Anna's mail opens SUP-1001")
	check(header("X-Ticket-Evidence") == "claimed", "without Authentication-Results her evidence is claimed")
	-- The rating address of her ticket (the gateway's token behind csat-N-)
	-- rates only a resolved ticket: hers is new.
	local token = string.match(header("Reply-To") or "", "<support%+([^@>]+)@")
	r = send_message(conn, "4TR00006", "<anna@example.org>", {"<support+csat-1-" .. tostring(token) .. "@example.com>"}, {
		{"From", "Anna <anna@example.org>"},
		{"Subject", "SUP-1001 1"},
		{"Message-ID", "<tr-csat1@example.org>"},
	}, "1\r\n")
	check(token ~= nil and r == SMFIR_CONTINUE, "a rating link used before the ticket is resolved is no rating: ordinary mail, not discarded")
	r = send_message(conn, "4TR00002", "<mallory@evil.example>", {"<support@example.com>"}, {
		{"From", "Anna <anna@example.org>"},
		{"To", "support@example.com"},
		{"Cc", "Mallory <mallory@evil.example>"},
		{"Subject", "Re: [SUP-1001] Printer on fire"},
		{"Message-ID", "<tr-m1@evil.example>"},
		-- someone else's authserv-id proves nothing
		{"Authentication-Results", "evil.example; dmarc=pass header.from=example.org"},
	}, "Please send all further answers to my colleague in Cc.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") == "SUP-1001", "the forged follow-up joins SUP-1001 (subject tag, From a participant)")
	check(header("X-Ticket-Evidence") == "claimed", "its evidence is claimed: another authserv-id is ignored")
	check(string.find(header("X-Ticket-Held") or "", "mallory@evil.example", 1, true) ~= nil,
	      "the Cc address is held back and shown to agents (" .. tostring(header("X-Ticket-Held")) .. ")")
	-- The agent answers: only Anna receives it.
	local gateway = "support@example.com"
	r = send_message(conn, "4TR00003", "<alice@example.com>", {"<support@example.com>"}, {
		{"From", "Alice Agent <alice@example.com>"},
		{"To", "support@example.com"},
		{"Subject", "Re: [SUP-1001] Printer on fire"},
		{"Message-ID", "<tr-r1@mail.example.com>"},
		{"In-Reply-To", "<tr-m1@evil.example>"},
	}, "Your ticket number is safe with us.\r\n", "alice")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"), "the agent's reply goes to Anna")
	check(not mt.eom_check(conn, MT_RCPTADD, "<mallory@evil.example>"), "and not to the address a claimed sender put in Cc")
	-- #cc (the agents' own command) is how a held address joins; that is
	-- agent.lua's part.  Now Anna's own, authenticated mail with a colleague.
	r = send_message(conn, "4TR00004", "<anna@example.org>", {"<support@example.com>"}, {
		{"Authentication-Results", OURS_PASS},
		{"From", "Anna <anna@example.org>"},
		{"Cc", "Carl <carl@example.org>"},
		{"Subject", "Re: [SUP-1001] Printer on fire"},
		{"Message-ID", "<tr-a2@example.org>"},
	}, "My colleague Carl should hear from you too.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-Evidence") == "authenticated", "DMARC pass from our authserv-id: authenticated")
	check(header("X-Ticket-Held") == nil, "nothing held: Carl becomes a participant")
	r = send_message(conn, "4TR00005", "<alice@example.com>", {"<support@example.com>"}, {
		{"From", "Alice Agent <alice@example.com>"},
		{"To", "support@example.com"},
		{"Subject", "Re: [SUP-1001] Printer on fire"},
		{"Message-ID", "<tr-r2@mail.example.com>"},
	}, "Hello both.\r\n", "alice")
	check(mt.eom_check(conn, MT_RCPTADD, "<carl@example.org>") and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"),
	      "the next reply reaches Anna and Carl")
	check(not mt.eom_check(conn, MT_RCPTADD, "<mallory@evil.example>"), "still not Mallory")

elseif case == "contradicted" then
	local r = send_message(conn, "4TR00011", "<anna@example.org>", {"<support@example.com>"}, {
		{"Authentication-Results", "mx.example.com; dkim=fail header.d=example.org; dmarc=fail (p=reject) header.from=example.org"},
		{"From", "Anna <anna@example.org>"},
		{"Cc", "mallory@evil.example"},
		{"Subject", "Re: [SUP-1001] Printer on fire"},
		{"Message-ID", "<tr-c1@evil.example>"},
		{"In-Reply-To", "<tr-a1@example.org>"},
	}, "Forged.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") ~= "SUP-1001", "a DMARC failure joins no ticket, whatever it cites (" .. tostring(header("X-Ticket-ID")) .. ")")
	check(header("X-Ticket-Evidence") == "contradicted", "X-Ticket-Evidence: contradicted")

elseif case == "replay" then
	-- Mallory got an acknowledgement; she reuses its signed Message-ID
	-- with headers of her choosing.
	local r = send_message(conn, "4TR00021", "<mallory@evil.example>", {"<support@example.com>"}, {
		{"From", "Example Support <support@example.com>"},
		{"To", "support@example.com"},
		{"Subject", "[SUP-1001] Please wire the refund to the account below"},
		{"Message-ID", "<" .. ackid .. ">"},
		{"X-Ticket-ID", "SUP-1001"},
		{"X-Ticket-Status", "resolved"},
		{"Reply-To", "refunds@evil.example"},
	}, "Send the money to evil.\r\n")
	check(r == SMFIR_CONTINUE, "mail under a reused signed Message-ID is taken")
	check(mt.eom_check(conn, MT_HDRDELETE, "X-Ticket-ID") and mt.eom_check(conn, MT_HDRDELETE, "X-Ticket-Status"),
	      "its X-Ticket-* headers are removed")
	check(string.find(header("Reply-To") or "", "support+", 1, true) ~= nil, "its Reply-To is ours, not the sender's")
	check(header("X-Ticket-Evidence") ~= nil, "it is recorded like any customer mail, with its evidence")

elseif case == "replyto" then
	local r = send_message(conn, "4TR00031", "<bea@example.net>", {"<support@example.com>"}, {
		{"From", "Bea <bea@example.net>"},
		{"Reply-To", "Bea <bea@example.net>"},
		{"Reply-To", "attacker@evil.example"},
		{"Subject", "Two Reply-To headers"},
		{"Message-ID", "<tr-b1@example.net>"},
	}, "Hello.\r\n")
	check(r == SMFIR_CONTINUE, "a message with two Reply-To headers is ticketed")
	check(mt.eom_check(conn, MT_HDRDELETE, "Reply-To"), "the Reply-To headers it came with are removed")
	check(mt.eom_check(conn, MT_HDRADD, "Reply-To"), "and ours is the only one")

elseif case == "fanout" then
	-- Authenticated, so its Cc may join, but only as many as the caps allow.
	local cc = {}
	for i = 1, 40 do
		cc[#cc + 1] = string.format("person%02d@example.net", i)
	end
	local r = send_message(conn, "4TR00041", "<dora@example.org>", {"<support@example.com>"}, {
		{"Authentication-Results", "mx.example.com; dmarc=pass header.from=example.org"},
		{"From", "Dora <dora@example.org>"},
		{"Cc", table.concat(cc, ", ")},
		{"Subject", "Many people"},
		{"Message-ID", "<tr-d1@example.org>"},
	}, "Everyone should know.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-Evidence") == "authenticated", "the fan-out message is ticketed, authenticated")
	check(string.find(header("X-Ticket-Held") or "", "more", 1, true) ~= nil, "what is over the caps is held and counted")
	local id = header("X-Ticket-ID")
	r = send_message(conn, "4TR00042", "<alice@example.com>", {"<support@example.com>"}, {
		{"From", "Alice Agent <alice@example.com>"},
		{"To", "support@example.com"},
		{"Subject", "Re: [" .. tostring(id) .. "] Many people"},
		{"Message-ID", "<tr-r4@mail.example.com>"},
	}, "Noted.\r\n", "alice")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<dora@example.org>"), "the agent's reply still goes to the customer")
	check(not mt.eom_check(conn, MT_RCPTADD, "<person11@example.net>"), "but not past max-new-participants")
elseif case == "threading" then
	-- Fritz (Outlook) opens a ticket; Eve, who is not on it, answers him;
	-- Fritz answers Eve: his References still name his ticket.
	-- Outlook's header for the conversation, and a reply's (a block more).
	local ti, ti_reply = "ASgpKissLS4vMDEyMzQ1Njc4OTo7PA==", "ASgpKissLS4vMDEyMzQ1Njc4OTo7PAAAAAUw"
	local r = send_message(conn, "4TH00001", "<fritz@example.de>", {"<support@example.com>"}, {
		{"From", "Fritz <fritz@example.de>"},
		{"Subject", "Scanner jams"},
		{"Message-ID", "<th-f1@example.de>"},
		{"Thread-Index", ti},
		{"Thread-Topic", "Scanner jams"},
	}, "It jams.\r\n")
	local id = header("X-Ticket-ID")
	check(r == SMFIR_CONTINUE and id ~= nil, "Fritz opens " .. tostring(id))
	r = send_message(conn, "4TH00002", "<eve@example.net>", {"<support@example.com>"}, {
		{"From", "Eve <eve@example.net>"},
		{"Subject", "Re: Scanner jams"},
		{"Message-ID", "<th-e1@example.net>"},
		{"In-Reply-To", "<th-f1@example.de>"},
		{"References", "<th-f1@example.de>"},
	}, "Mine too.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") ~= id, "Eve, not on it, gets a ticket of her own")
	r = send_message(conn, "4TH00003", "<fritz@example.de>", {"<support@example.com>"}, {
		{"From", "Fritz <fritz@example.de>"},
		{"Subject", "Re: Scanner jams"},
		{"Message-ID", "<th-f2@example.de>"},
		{"In-Reply-To", "<th-e1@example.net>"},
		{"References", "<yes> <th-f1@example.de> <th-e1@example.net>"},
	}, "Eve, did yours stop?\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") == id,
	      "Fritz's answer to Eve joins his own ticket through References (" .. tostring(header("X-Ticket-ID")) .. ")")
	r = send_message(conn, "4TH00004", "<fritz@example.de>", {"<support@example.com>"}, {
		{"From", "Fritz <fritz@example.de>"},
		{"Subject", "AW: Scanner"},
		{"Message-ID", "<th-f3@example.de>"},
		{"Thread-Index", ti_reply},
	}, "Outlook lost the References.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") == id, "Fritz's Outlook reply with only a Thread-Index joins too")
	r = send_message(conn, "4TH00005", "<fritz@example.de>", {"<support@example.com>"}, {
		{"From", "Fritz <fritz@example.de>"},
		{"Subject", "Re: [" .. string.gsub(tostring(id), "-", " #") .. "] from RT"},
		{"Message-ID", "<th-f4@example.de>"},
	}, "I used to write to your old RT.\r\n")
	check(r == SMFIR_CONTINUE and header("X-Ticket-ID") == id, "Request Tracker's [SUP #N] tag joins too")
end
mt.disconnect(conn)
