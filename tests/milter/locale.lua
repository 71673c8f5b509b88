-- locale.lua - customers in Swedish, Japanese and German on one
-- connection, for locale.sh: each opens a ticket whose locale the
-- milter shows in X-Ticket-Locale.
dofile(libdir .. "/lib.lua")

local conn = open_connection()
local customers = {
	{ "4QLOC001", "anders@example.se", "sv", "Skrivaren fungerar inte",
	  "Hej! Vår skrivare på andra våningen har inte fungerat sedan i morse. Kan ni hjälpa oss att " ..
	  "lösa problemet så snart som möjligt? Tack på förhand för er hjälp." },
	{ "4QLOC002", "yamada@example.jp", "ja", "=?UTF-8?B?44OX44Oq44Oz44K/44O844GM5YuV44GN44G+44Gb44KT?=",
	  "お世話になっております。二階のプリンターが今朝から動かなくなりました。" ..
	  "お手数ですが、至急ご確認いただけますでしょうか。よろしくお願いいたします。" },
	{ "4QLOC003", "juergen@example.de", "de", "Drucker druckt nicht",
	  "Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. " ..
	  "Können Sie uns bitte so schnell wie möglich helfen? Vielen Dank im Voraus." },
}
for _, c in ipairs(customers) do
	local r = send_message(conn, c[1], "<" .. c[2] .. ">", {"<support@example.com>"}, {
		{"From", c[2]},
		{"To", "support@example.com"},
		{"Subject", c[4]},
		{"Message-ID", "<" .. c[1] .. "@example.org>"},
		{"Content-Type", "text/plain; charset=utf-8"},
	}, c[5] .. "\r\n")
	check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_HDRADD, "X-Ticket-Locale", c[3]),
	      c[2] .. ": new ticket in locale " .. c[3])
end
mt.disconnect(conn)
