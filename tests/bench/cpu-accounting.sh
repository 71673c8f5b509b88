#!/bin/bash
# cpu-accounting.sh - the benchmark's count of where the machine's CPU
# went (bench/lib.sh proc_cpu_all, bench/analyze.py cpu_split), on which
# the README's CPU per message rests: made-up snapshots whose answer is
# known (a process that ended, a pid used again, a kernel worker that
# changed its name, a name with ") " in it), then a snapshot of this
# machine read back.
. "$top_srcdir/tests/lib/common.sh"

command -v python3 >/dev/null || tap_skip_all "python3 not installed"
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"
proc_cpu_all >"$scratch/real"

python3 - "$top_srcdir/bench" "$scratch" "$$" >"$scratch/out" 2>&1 <<'PY'
import os
import sys
sys.path.insert(0, sys.argv[1])
import analyze

scratch = sys.argv[2]

def stat(pid, name, ppid, ticks, reaped=0):
    """A /proc/PID/stat line: utime and stime are fields 14 and 15,
    cutime and cstime 16 and 17."""
    return f"{pid} ({name}) S {ppid} " + "0 " * 9 + f"{ticks - ticks // 2} {ticks // 2} {reaped} 0 " + "0 " * 30

def snapshot(path, cpu, procs, bench):
    with open(path, "w") as f:
        f.write("cpu  " + " ".join(map(str, cpu)) + "\n")
        for p in procs:
            f.write(stat(*p).rstrip() + "\n")
        f.write(f"bench {bench}\n")
    return analyze.read_cpu(path)

def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)

start = snapshot(os.path.join(scratch, "start"), [100, 0, 50, 1000, 10, 5, 5, 3, 0, 0], [
    (10, "master", 1, 5, 100),
    (11, "cleanup", 10, 20),
    (12, "smtpd", 10, 30),              # ends during the run
    (13, "kworker/0:1-events", 2, 7),
    (14, "odd) (name", 1, 1),
    (15, "qmgr", 10, 3),                # ends (5 in all); its pid is a sink's at the end
    (20, "run", 5, 2, 0),               # the benchmark's shell
    (21, "smtpsend", 20, 10),           # its client, ends during the run
    (30, "ticket-milter", 1, 100),
], 20)
end = snapshot(os.path.join(scratch, "end"), [200, 0, 90, 1100, 10, 8, 9, 4, 0, 0], [
    (10, "master", 1, 6, 150),          # reaped smtpd (45 in all) and qmgr (5): 17 in the run
    (11, "cleanup", 10, 26),
    (13, "kworker/0:1-writeback", 2, 9),
    (14, "odd) (name", 1, 3),
    (15, "smtp-sink", 1, 4),
    (16, "smtp", 10, 9),                # began during the run
    (20, "run", 5, 3, 50),              # reaped smtpsend: 50 in all, 40 of them in the run
    (30, "ticket-milter", 1, 250),
], 20)

split, busy = analyze.cpu_split(start, end)
g = {label: split.get(label, 0) for label, _ in analyze.CPU_GROUPS}
labels = [label for label, _ in analyze.CPU_GROUPS]
check(start[1]["14"][0] == "odd) (name" and start[1]["14"][2] == 1, "a name holding \") (\" is read whole, and the times after it")
check(g[labels[0]] == 150, f"the milter: its own time in the run (150 ticks: {g[labels[0]]})")
check(g["Postfix cleanup"] == 6, f"a process alive throughout: the difference (6: {g['Postfix cleanup']})")
check(g["Postfix qmgr, trivial-rewrite, smtp, scache"] == 9,
      f"one begun during the run counts whole (9: {g['Postfix qmgr, trivial-rewrite, smtp, scache']})")
check(g["Postfix processes that ended meanwhile"] == 17,
      f"those that ended: what master reaped, less their time before the start (17: {g['Postfix processes that ended meanwhile']})")
check(g["Postfix master, postlogd, the others"] == 1, "master's own time apart from what it reaped")
check(g["smtp-sink"] == 4, f"a pid used again by another program counts from 0 (4: {g['smtp-sink']})")
check(g[analyze.BENCH_GROUP] == 41,
      f"the benchmark's shell: its time and its ended client's in the run (41: {g[analyze.BENCH_GROUP]})")
check(g["kernel: interrupts and its threads"] == 2 + 7,
      f"a kernel worker that changed its name counts on, plus irq and softirq from /proc/stat (9: {g['kernel: interrupts and its threads']})")
check(g["anything else"] == 2, f"anything else (2: {g['anything else']})")
check(busy == 147, f"the machine's busy time leaves idle, iowait and steal out (147: {busy})")

real = analyze.read_cpu(os.path.join(scratch, "real"))
check(real is not None and len(real[0]) >= 8, "a snapshot of this machine has /proc/stat's cpu line")
check(real is not None and real[2] == sys.argv[3] and sys.argv[3] in real[1],
      "it names the shell that took it, and that shell is among its processes")
check(real is not None and "1" in real[1] and all(t >= 0 and r >= 0 for _, _, t, r in real[1].values()),
      f"every process line was read ({len(real[1]) if real else 0} processes)")
zero, _ = analyze.cpu_split(real, real)
check(all(v == 0 for v in zero.values()), "a snapshot against itself: nothing used")
PY
rc=$?
tap_renumber <"$scratch/out"
tap_ok $rc "the accounting checks ran to their end"
tap_done
