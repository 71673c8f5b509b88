#!/bin/bash
# manpages.sh - ticketctl(8), ticket-milter(8) and ticket-filter(8) name
# every command and option the programs take: the options of each getopt() string, every
# ticketctl command of its table (and of `ticketctl -h`), every --option
# the commands read, and every NAME `ticketctl set` applies.  Read from
# the sources, so that a new option without its manual fails here.
. "$top_srcdir/tests/lib/common.sh"

ctl_man=$top_srcdir/man/ticketctl.8
milter_man=$top_srcdir/man/ticket-milter.8
filter_man=$top_srcdir/man/ticket-filter.8

# A tag or synopsis of the manual page: ".B name", ".B \-x", ".BI \-c ..."
# or "[\fB\-x\fR]"; the man page escapes '-' as '\-'.
man_has() { # man_has FILE WORD
	local word=${2//-/\\\\-}
	grep -Eq "^\.(B|BI|BR) $word( |\\\\|=|\$)|\\\\fB$word\\\\f|^\.BR $word =" "$1"
}

# The option letters of getopt(argc, argv, "...") in a source file.
getopt_letters() {
	sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' "$1" | tr -d '+:' | fold -w1
}

for letter in $(getopt_letters "$top_srcdir/src/ctl/ticketctl.c"); do
	man_has "$ctl_man" "-$letter"
	tap_ok $? "ticketctl(8) documents -$letter"
done
for letter in $(getopt_letters "$top_srcdir/src/milter/main.c"); do
	man_has "$milter_man" "-$letter"
	tap_ok $? "ticket-milter(8) documents -$letter"
done

for letter in $(getopt_letters "$top_srcdir/src/filter/main.c"); do
	man_has "$filter_man" "-$letter"
	tap_ok $? "ticket-filter(8) documents -$letter"
done

commands=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_.*/\1/p' "$top_srcdir/src/ctl/ticketctl.c")
[ -n "$commands" ]
tap_ok $? "the command table of ticketctl.c is read ($(echo $commands))"
for c in $commands; do
	man_has "$ctl_man" "$c"
	tap_ok $? "ticketctl(8) documents the command $c"
done
# The program's own list agrees with its table.
for c in $("$TM_CTL" -h | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
	man_has "$ctl_man" "$c"
	tap_ok $? "ticketctl(8) documents $c, which ticketctl -h lists"
done

# Long options: "--name" in the sources, and getopt_long's tables.
for opt in $( { grep -oh '"--[a-z-]*"' "$top_srcdir"/src/ctl/*.c | tr -d '"'
		sed -n 's/.*{ "\([a-z-]*\)", \(no\|required\|optional\)_argument.*/--\1/p' "$top_srcdir"/src/ctl/*.c; } | sort -u); do
	grep -Eq "${opt//-/\\\\-}([^a-z-]|\$)" "$ctl_man"
	tap_ok $? "ticketctl(8) documents $opt"
done

# `ticketctl set NAME=VALUE` takes what lifecycle_apply() applies; a note
# changes nothing on a ticket and is for mail only.
for name in $(sed -n 's/.*strcmp(cmd->name, "\([a-z]*\)").*/\1/p' "$top_srcdir/src/engine/lifecycle.c" | grep -vx note); do
	man_has "$ctl_man" "$name"
	tap_ok $? "ticketctl(8) documents set $name=VALUE"
done

tap_done
