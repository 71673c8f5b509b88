-- text.lua - messages whose text was read wrong, through the real daemon
-- (text.sh starts it and reads the tickets back with ticketctl).  The
-- bytes are as a client writes them: raw GBK in Subject and From,
-- encoded words GMime reads wrong, Apple Mail's text, image, text, and
-- ISO-2022-JP with NEC characters.  Global from -D: case.
dofile(libdir .. "/lib.lua")

local cases = {
	gbk = {
		qid = "4QTXTGBK", from = "<wang@example.cn>",
		tagged = "[SUP-1001] \230\137\147\229\141\176\230\156\186\229\157\143\228\186\134\239\188\140\232\175\183\229\184\174\229\191\153",
		headers = {
			{"From", "\205\245\208\161\195\247 <wang@example.cn>"},
			{"To", "support@example.com"},
			{"Subject", "\180\242\211\161\187\250\187\181\193\203\163\172\199\235\176\239\195\166"},
			{"Message-ID", "<text-gbk@example.cn>"},
			{"MIME-Version", "1.0"},
			{"Content-Type", "text/plain; charset=gbk"},
			{"Content-Transfer-Encoding", "8bit"},
		},
		body = "\196\250\186\195\163\172\206\210\181\196\180\242\211\161\187\250\215\242\204\236\191\170\202\188\206\222\183\168\180\242\211\161\163\172\199\235\190\161\191\236\176\239\206\210\191\180\191\180\161\163\r\n\208\187\208\187\163\161\r\n",
	},
	crlf = {
		qid = "4QTXTCRLF", from = "<crlf@example.org>",
		headers = {
			{"From", "crlf@example.org"},
			{"To", "support@example.com"},
			{"Subject", "=?UTF-8?B?DQphYmM=?= =?UTF-8?B?ZGVm?="},
			{"Message-ID", "<text-crlf@example.org>"},
		},
		body = "Hello.\r\n",
	},
	padded = {
		qid = "4QTXTPAD", from = "<renee@example.de>",
		headers = {
			{"From", "=?UTF-8?B?UmVuw6llIA==?= =?UTF-8?B?TcO8bGxlcg==?=" .. " <renee@example.de>"},
			{"To", "support@example.com"},
			{"Subject", "=?UTF-8?B?QmVzdGVsbHVuZyA0NzExOiBMaWVmZXJ1bg==?= =?UTF-8?B?ZyB2ZXJzcMOkdGV0IOKAkyBiaXR0ZSB1bSBSw7xja3J1Zg==?="},
			{"Message-ID", "<text-padded@example.de>"},
			{"MIME-Version", "1.0"},
			{"Content-Type", "text/plain; charset=utf-8; format=flowed"},
		},
		body = "Guten Tag, die Lieferung ist versp\195\164tet.\r\n",
	},
	apple = {
		qid = "4QTXTAPPL", from = "<anna@example.org>",
		headers = {
			{"From", "Anna Apple <anna@example.org>"},
			{"To", "support@example.com"},
			{"Subject", "Error message"},
			{"Message-ID", "<text-apple@example.org>"},
			{"MIME-Version", "1.0"},
			{"Content-Type", "multipart/mixed; boundary=APPLE"},
			{"X-Mailer", "Apple Mail (2.3608.120.23.2.4)"},
		},
		body = "--APPLE\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nWhen I open the app I get this:\r\n--APPLE\r\nContent-Disposition: inline; filename=screenshot.png\r\nContent-Type: image/png; name=\034screenshot.png\034\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n--APPLE\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nAnd then it closes again.\r\n\r\nAnna\r\n--APPLE--\r\n",
	},
	jis = {
		qid = "4QTXTJIS", from = "<sato@example.co.jp>",
		headers = {
			{"From", "sato@example.co.jp"},
			{"To", "support@example.com"},
			{"Subject", "=?ISO-2022-JP?B?GyRCLSFHPElKJEskRCQkJEYtahsoQg==?="},
			{"Message-ID", "<text-jis@example.co.jp>"},
			{"MIME-Version", "1.0"},
			{"Content-Type", "text/plain; charset=ISO-2022-JP"},
			{"Content-Transfer-Encoding", "7bit"},
		},
		body = "\027$B3t<02q<R%F%9%H\027(B\r\n\027$B-!$4@A5a=q$N7o\027(B\r\n\027$B-j%5%s%W%k$N;3ED$G$9!#\027(B\r\n",
	},
	-- A broken fold as the MTA hands it over: Postfix ends the header at
	-- the line that is no field, which starts the body.
	fold = {
		qid = "4QTXTFOLD", from = "<f@example.org>",
		headers = {
			{"From", "f@example.org"},
			{"To", "support@example.com"},
			{"Subject", "The printer on the third floor"},
			{"Message-ID", "<text-fold@example.org>"},
		},
		body = "prints only blank pages\r\n\r\nSince Monday.\r\n",
	},
}

local c = cases[case]
local conn = open_connection()
local r = send_message(conn, c.qid, c.from, {"<support@example.com>"}, c.headers, c.body)
check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-ID"), case .. ": ticketed")
if c.tagged then
	-- Raw GBK was written back as it came, for every reader to guess
	-- again: the tagged subject is UTF-8 now.
	check(mt.eom_check(conn, MT_HDRCHANGE, "Subject", c.tagged), case .. ": the tagged Subject is UTF-8: " .. c.tagged)
end
mt.disconnect(conn)
