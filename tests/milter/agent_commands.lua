-- agent_commands.lua - an agent's commands through the real daemon
-- (tests/milter/agent-commands.sh checks the store and the notices
-- afterwards): a numbered list after the commands is the reply, in text
-- and in an HTML <pre>; a reply of commands only, and a note no other
-- agent receives, are delivered to nobody (the agent is told); #merge
-- into another queue's ticket is refused; #cc adds and removes people
-- who then get, or no longer get, the agent's replies.
--
-- The daemon's queues: support (SUP; agents alice and bob;
-- max-participants = 3) and billing (BIL; agent carol only).
dofile(libdir .. "/lib.lua")

local conn = open_connection()

-- The new body has the line ends of the message the milter saw, whose
-- header lines end in LF.
local function lf(s)
	return (string.gsub(s, "\r\n", "\n"))
end

-- A customer's first mail; returns the gateway address of its Reply-To.
local function open_ticket(qid, from, queue, mid)
	local r = send_message(conn, qid, "<" .. from .. ">", {"<" .. queue .. ">"}, {
		{"From", from},
		{"Subject", "Printer on fire"},
		{"Message-ID", "<" .. mid .. ">"},
	}, "It smokes.\r\n")
	check(r == SMFIR_CONTINUE, qid .. ": " .. from .. " opens a ticket")
	return string.match(mt.getheader(conn, "Reply-To", 0) or "", "<([^>]+)>") or queue
end

-- An agent's mail to rcpt, authenticated by SMTP AUTH login.
local function agent_mail(qid, login, rcpt, mid, body, content_type)
	local headers = {
		{"From", login .. "@example.com"},
		{"To", rcpt},
		{"Subject", "Re: Printer on fire"},
		{"Message-ID", "<" .. mid .. ">"},
	}
	if content_type then
		table.insert(headers, {"MIME-Version", "1.0"})
		table.insert(headers, {"Content-Type", content_type})
	end
	return send_message(conn, qid, "<" .. login .. "@example.com>", {"<" .. rcpt .. ">"}, headers, body, login)
end

local sup = open_ticket("4CMD0001", "anna@example.org", "support@example.com", "cmd-a1@example.org")
local bil = open_ticket("4CMD0002", "bert@example.org", "billing@example.com", "cmd-b1@example.org")

-- 1. A numbered list after a command is the reply, not more commands.
local list = "#1 Unplug the printer.\r\n#2 Wait ten seconds.\r\n#3 Plug it back in.\r\n"
local r = agent_mail("4CMD0003", "alice", sup, "cmd-list@mail.example.com", "#status pending\r\n" .. list)
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"),
      "numbered list: the reply goes to the customer, not discarded as commands only")
check(mt.eom_check(conn, MT_BODYCHANGE, lf(list)), "numbered list: only #status is removed, the list stays whole")

-- 2. The same in an HTML-only reply, inside <pre>.
r = agent_mail("4CMD0004", "alice", sup, "cmd-pre@mail.example.com",
	"<html><body><pre>#priority high\r\n" .. list .. "</pre></body></html>\r\n", "text/html; charset=utf-8")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"),
      "HTML <pre> list: the reply goes to the customer")
check(mt.eom_check(conn, MT_BODYCHANGE, lf("<html><body><pre>" .. list .. "</pre></body></html>\r\n")),
      "HTML <pre> list: only #priority is removed, the list stays whole")

-- 3. Both forms of a client's multipart/alternative.
r = agent_mail("4CMD0005", "alice", sup, "cmd-alt@mail.example.com",
	"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n#tier vip\r\n" .. list ..
	"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><pre>#tier vip\r\n" .. list ..
	"</pre></body></html>\r\n--b1--\r\n", "multipart/alternative; boundary=\"b1\"")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>"),
      "multipart/alternative with a list in text and <pre>: the reply goes to the customer")
check(mt.eom_check(conn, MT_BODYCHANGE, lf(
	"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" .. list ..
	"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><pre>" .. list ..
	"</pre></body></html>\r\n--b1--\r\n")),
      "multipart/alternative: #tier removed from both parts, the lists stay")

-- 4. Commands only: applied, delivered to nobody, the agent told.
r = agent_mail("4CMD0006", "alice", sup, "cmd-only@mail.example.com", "#priority urgent\r\n")
check(r == SMFIR_DISCARD, "commands only: discarded")

-- 5. A mistyped command is removed and reported, the text goes out.
r = agent_mail("4CMD0007", "alice", sup, "cmd-typo@mail.example.com", "#stauts resolved\r\n\r\nWe are on it.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_BODYCHANGE, lf("We are on it.\r\n")),
      "mistyped #stauts: removed from the customer's copy")

-- 6. #merge into a ticket of another queue: refused.
r = agent_mail("4CMD0008", "alice", sup, "cmd-merge@mail.example.com", "#merge BIL-1001\r\n")
check(r == SMFIR_DISCARD, "#merge BIL-1001 on SUP-1001 (commands only): discarded")

-- 7. A note in a queue with no other agent reaches nobody.
local note = string.gsub(bil, "@", "-note@")
r = agent_mail("4CMD0009", "carol", note, "cmd-note@mail.example.com", "Bert called about the invoice.\r\n")
check(r == SMFIR_DISCARD, "a note with no other agent to receive it: discarded")

-- 8. #cc: Dave gets this reply and the next, then is removed.
r = agent_mail("4CMD0010", "alice", sup, "cmd-cc1@mail.example.com",
	"#cc dave@example.net\r\n\r\nI have added Dave from the vendor.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>") and
      mt.eom_check(conn, MT_RCPTADD, "<dave@example.net>"), "#cc dave: this reply goes to the customer and Dave")
r = agent_mail("4CMD0011", "alice", sup, "cmd-cc2@mail.example.com", "Dave, could you check the firmware?\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<dave@example.net>"),
      "#cc dave: the next reply goes to Dave too")
r = agent_mail("4CMD0012", "alice", sup, "cmd-cc3@mail.example.com", "#cc -dave@example.net\r\n\r\nThanks, Dave.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>") and
      not mt.eom_check(conn, MT_RCPTADD, "<dave@example.net>"), "#cc -dave: the reply no longer goes to Dave")
r = agent_mail("4CMD0013", "alice", sup, "cmd-cc4@mail.example.com", "Anything else?\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<anna@example.org>") and
      not mt.eom_check(conn, MT_RCPTADD, "<dave@example.net>"), "#cc -dave: nor the next one")

-- 9. What #cc refuses: a queue address, an agent, removing the customer.
r = agent_mail("4CMD0014", "alice", sup, "cmd-cc5@mail.example.com",
	"#cc support@example.com\r\n#cc bob@example.com\r\n#cc -anna@example.org\r\n")
check(r == SMFIR_DISCARD, "#cc of a queue address, an agent and -customer (commands only): discarded")

-- 10. max-participants = 3: Anna, Eve and Frank; Gina is refused.
r = agent_mail("4CMD0015", "alice", sup, "cmd-cc6@mail.example.com",
	"#cc eve@example.net\r\n#cc frank@example.net\r\n#cc gina@example.net\r\n\r\nWelcome, all.\r\n")
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTADD, "<eve@example.net>") and
      mt.eom_check(conn, MT_RCPTADD, "<frank@example.net>") and not mt.eom_check(conn, MT_RCPTADD, "<gina@example.net>"),
      "#cc beyond max-participants: Eve and Frank added, Gina not")
mt.disconnect(conn)
