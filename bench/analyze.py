#!/usr/bin/python3
"""analyze.py - the benchmark's bookkeeping: reads what the runs left and
prints the report.  Called by bench/run:

    analyze.py scan SINK-DIR                  one line per message at the sink
    analyze.py tokens SINK-DIR SEED-INFO      signed gateway addresses of the seed
    analyze.py acks SINK-DIR OUT-DIR          the seed's acknowledgements, to be sent again
    analyze.py bigmessage DIR MEGABYTES       a message of that size for the memory test
    analyze.py report W SESSIONS ROUNDS [ACK-ROUTE [SYSCALLS]]
                                              the report, with PASS/FAIL per target
    analyze.py profile W MESSAGES             summary of perf and strace output

Percentiles are nearest-rank; a figure over rounds is the median of the
rounds' figures; a ratio is taken within each round (the modes of one
round ran minutes apart) and then the median.
"""
import base64
import functools
import glob
import math
import os
import re
import statistics
import subprocess
import sys
from email.parser import BytesHeaderParser
from email import policy

# ---- small helpers ------------------------------------------------------------


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def read_env(path):
    env = {}
    try:
        with open(path) as f:
            for token in f.read().split():
                if "=" in token:
                    k, v = token.split("=", 1)
                    env[k] = v
    except FileNotFoundError:
        pass
    return env


def fmt(v, spec=".1f", none="-"):
    return none if v is None else format(v, spec)


# ---- sink ---------------------------------------------------------------------


def sink_split(data):
    """(prologue, message) of a smtp-sink dump file: its own X-* lines
    (the envelope), then its Received header, then the message (see
    sink_body in tests/e2e/postfix-lib.sh); None if it is not one."""
    pos = 0 if data.startswith(b"Received: ") else data.find(b"\nReceived: ")
    if pos < 0:
        return None
    end = data.find(b"\n", pos + 1)
    while data[end + 1:end + 2] in (b" ", b"\t"):
        end = data.find(b"\n", end + 1)
    return data[:pos], data[end + 1:]


def sink_headers(path):
    """Headers of the message in a smtp-sink dump file."""
    with open(path, "rb") as f:
        split = sink_split(f.read(65536))
    return BytesHeaderParser(policy=policy.compat32).parsebytes(split[1]) if split else None


def unfold(v):
    return re.sub(r"\s+", " ", str(v or "")).strip()


def is_ack(h):
    """The headers are those of one of ticket-milter's acknowledgements."""
    return unfold(h.get("Auto-Submitted")).lower().startswith("auto-replied") and \
        unfold(h.get("Message-Id")).startswith("<tm.")


def cmd_scan(sink):
    """MTIME-NS  ack|copy  IN-REPLY-TO  MESSAGE-ID  X-TICKET-ID, per file."""
    for path in sorted(glob.glob(os.path.join(sink, "*"))):
        h = sink_headers(path)
        if h is None:
            continue
        kind = "ack" if is_ack(h) else "copy"
        print("\t".join([str(os.stat(path).st_mtime_ns), kind, unfold(h.get("In-Reply-To")).strip("<>"),
                         unfold(h.get("Message-Id")).strip("<>"), unfold(h.get("X-Ticket-ID"))]))


def cmd_tokens(sink, seed_info):
    info = {}
    with open(seed_info, encoding="utf-8") as f:
        for line in f:
            mid, customer, name, subject, lang = line.rstrip("\n").split("\t")
            info[mid] = (customer, name, subject, lang)
    rows = []
    for path in glob.glob(os.path.join(sink, "*")):
        h = sink_headers(path)
        if h is None or not h.get("X-Ticket-ID"):
            continue
        mid = unfold(h.get("Message-Id")).strip("<>")
        m = re.search(r"<([^>]+)>", unfold(h.get("Reply-To")))
        if mid in info and m:
            customer, name, subject, lang = info[mid]
            ticket = unfold(h.get("X-Ticket-ID"))
            rows.append((int(ticket.split("-")[1]), ticket, m.group(1), f"<{mid}>", customer, name, subject, lang))
    if not rows:
        sys.exit("analyze.py: no tagged seed copies at the sink")
    for row in sorted(rows):
        print("\t".join(row[1:]))


def cmd_acks(sink, folder):
    """The acknowledgements at the sink as messages smtpsend can send
    again (OUT-DIR/ackNNN.eml) and OUT-DIR/pool.tsv, one line each with
    their envelope as the sink recorded it: the do-nothing+acks mode sends
    them through the same route as ticket-milter's outbox."""
    os.makedirs(folder, exist_ok=True)
    rows = []
    for path in sorted(glob.glob(os.path.join(sink, "*"))):
        with open(path, "rb") as f:
            split = sink_split(f.read())
        if split is None:
            continue
        prologue, message = split[0].decode("utf-8", "replace"), split[1]
        if not is_ack(BytesHeaderParser(policy=policy.compat32).parsebytes(message)):
            continue
        sender = re.search(r"^X-Mail-Args: *<([^>]*)>", prologue, re.M)
        rcpt = re.search(r"^X-Rcpt-Args: *<([^>]*)>", prologue, re.M)
        if not (sender and rcpt):
            sys.exit(f"analyze.py: no envelope in the sink's prologue of {path}")
        out = os.path.join(folder, f"ack{len(rows) + 1:03d}.eml")
        with open(out, "wb") as f:
            f.write(message[:-1] if message.endswith(b"\n\n") else message)
        rows.append(f"{out}\t{sender.group(1)}\t{rcpt.group(1)}\n")
    if not rows:
        sys.exit("analyze.py: no acknowledgements at the sink")
    with open(os.path.join(folder, "pool.tsv"), "w") as f:
        f.writelines(rows)


def cmd_bigmessage(folder, megabytes):
    """A support mail with a big attachment, megabytes in all."""
    size = int(megabytes) * 1024 * 1024
    path = os.path.join(folder, "00001.eml")
    head = ("From: Big Attachment <bigfile@example.de>\nTo: support@example.com\n"
            "Subject: Log files of the crashed server\nMessage-ID: <big.1@example.de>\n"
            "Date: Tue, 10 Mar 2026 09:00:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            "Guten Tag, anbei die Protokolle des abgestürzten Servers.\n\n--b1\n"
            "Content-Type: application/octet-stream; name=\"logs.tar\"\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"logs.tar\"\n\n")
    tail = "\n--b1--\n"
    lines = (size - len(head) - len(tail)) // 77
    chunk = os.urandom(57 * 1024)
    with open(path, "w") as f:
        f.write(head)
        for i in range(0, lines, 1024):
            enc = base64.encodebytes(chunk).decode()     # 76 characters + newline per line
            f.write(enc if i + 1024 <= lines else "".join(enc.splitlines(True)[:lines - i]))
        f.write(tail)
    with open(os.path.join(folder, "index.tsv"), "w") as f:
        f.write(f"{path}\tbigfile@example.de\tsupport@example.com\n")


# ---- one run ------------------------------------------------------------------

STAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z ")


def stamp_ns(line):
    import calendar
    m = STAMP.match(line)
    if not m:
        return None
    y, mo, d, h, mi, s, ms = (int(x) for x in m.groups())
    return (calendar.timegm((y, mo, d, h, mi, s)) * 1000 + ms) * 1_000_000


class Run:
    """What one timed run left in runs/<phase>-r<round>-<mode>/."""

    def __init__(self, folder):
        self.folder = folder
        self.cpu = {}             # cpu_ms's, by until
        self.calls = False        # syscalls(), once read
        self.env = read_env(os.path.join(folder, "stats.env"))
        self.timings = []
        with open(os.path.join(folder, "timings.tsv")) as f:
            for line in f:
                i, size, conn, mail, end, code = line.split()
                self.timings.append((int(i), int(size), int(conn), int(mail), int(end), int(code)))
        self.elapsed_us, self.eom_us, self.log_lines = [], [], []
        self.queued = {}          # message-id -> EOM stamp (ns), acknowledged messages
        log = os.path.join(folder, "milter.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                for line in f:
                    self.log_lines.append(line)
                    m = re.search(r"elapsed=(\d+)us", line)
                    if m:
                        self.elapsed_us.append(int(m.group(1)))
                    m = re.search(r"eom=(\d+)us", line)
                    if m:
                        self.eom_us.append(int(m.group(1)))
                    if "acknowledgement queued" in line:
                        mid = re.search(r"message-id=<([^>]*)>", line)
                        if mid:
                            self.queued[mid.group(1)] = stamp_ns(line)
        self.sink = []
        path = os.path.join(folder, "sink.tsv")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    mtime, kind, irt, mid, ticket = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
                    self.sink.append((int(mtime), kind, irt, mid, ticket))

    # figures
    def accepted(self):
        return sum(1 for t in self.timings if t[5] == 250)

    def start_us(self):
        return min(t[2] if t[2] else t[3] for t in self.timings)

    def rate(self):
        end = max(t[4] for t in self.timings)
        return self.accepted() / ((end - self.start_us()) / 1e6)

    def client_ms(self):
        return [(t[4] - t[3]) / 1000 for t in self.timings if t[5] == 250]

    def milter_ms(self):
        return [u / 1000 for u in self.elapsed_us]

    def eom_ms(self):
        return [u / 1000 for u in self.eom_us]

    def ack_ms(self):
        arrived = {irt: mtime for mtime, kind, irt, _, _ in self.sink if kind == "ack"}
        return [(arrived[mid] - t) / 1e6 for mid, t in self.queued.items() if mid in arrived and t]

    def relay_rate(self):
        copies = [mtime for mtime, kind, *_ in self.sink if kind == "copy"]
        if not copies:
            return None
        return len(copies) / ((max(copies) / 1000 - self.start_us()) / 1e6)

    def done_rate(self):
        """The messages over the time until the last of them and of the
        acknowledgements was at the sink: what the MTA could keep up with,
        the deliveries included (a burst's acceptance can run ahead of
        them, and does more the cheaper the milter)."""
        if not self.sink:
            return None
        return len(self.timings) / ((max(m for m, *_ in self.sink) / 1000 - self.start_us()) / 1e6)

    def cpu_per_1000(self):
        if "cpu_seconds" not in self.env:
            return None
        return float(self.env["cpu_seconds"]) / len(self.timings) * 1000

    def cpu_ms(self, until):
        """{report line: CPU ms per message} from the start of sending to
        until ("sent" or "delivered"), the machine's busy ms under
        "machine"; None if the run did not record it."""
        if until not in self.cpu:
            start = read_cpu(os.path.join(self.folder, "cpu-start"))
            end = read_cpu(os.path.join(self.folder, f"cpu-{until}"))
            self.cpu[until] = None
            if start and end and self.timings:
                split, busy = cpu_split(start, end)
                per = 1000 / os.sysconf("SC_CLK_TCK") / len(self.timings)
                self.cpu[until] = {k: v * per for k, v in split.items()}
                self.cpu[until]["machine"] = busy * per
        return self.cpu[until]

    def syscalls(self):
        """{(report line, call name): calls per message} with --syscalls,
        else None.  Counted by thread name: ticket-milter's outbox and
        checkpoint threads count as the milter."""
        if self.calls is False:
            counts = read_syscalls(os.path.join(self.folder, "syscalls.txt"))
            self.calls = None
            if counts and self.timings:
                names = syscall_names()
                self.calls = {}
                for (program, number), n in counts.items():
                    key = (cpu_group(program), names.get(number, f"#{number}"))
                    self.calls[key] = self.calls.get(key, 0) + n / len(self.timings)
        return self.calls

    def hwm_mb(self):
        return int(self.env["vmhwm_kb"]) / 1024 if self.env.get("vmhwm_kb") else None


# Where the machine's CPU went during a run (bench/lib.sh proc_cpu_all):
# each process's name to a line of the report, in the report's order.
BENCH_GROUP = "the benchmark: its SMTP clients, its waiting"
CPU_GROUPS = (
    ("the milter", ("ticket-milter", "nullmilter", "outbox", "checkpoint")),
    ("Postfix smtpd", ("smtpd",)),
    ("Postfix cleanup", ("cleanup",)),
    ("Postfix qmgr, trivial-rewrite, smtp, scache", ("qmgr", "trivial-rewrite", "smtp", "scache")),
    ("Postfix master, postlogd, the others", ("master", "postlogd", "anvil", "proxymap", "pickup",
                                              "tlsmgr", "showq", "bounce")),
    ("Postfix processes that ended meanwhile", ("[reaped]",)),
    ("smtp-sink", ("smtp-sink",)),
    # By name only where a process is counted by name (--syscalls): the
    # benchmark's shell and the tools it waits with.
    (BENCH_GROUP, ("[bench]", "smtpsend", "run", "bash", "sleep", "grep", "find", "postqueue", "awk", "cat",
                   "wc", "date", "python3", "bpftrace")),
    ("kernel: interrupts and its threads", ("[irq]", "kworker", "jbd2", "ksoftirqd", "kcompactd", "kswapd",
                                            "rcu", "migration", "khugepaged", "kthreadd")),
    ("anything else", ()),
)


def read_cpu(path):
    """(the /proc/stat cpu line's numbers, {pid: (name, ppid, ticks,
    reaped)}, the benchmark shell's pid) from a proc_cpu_all snapshot;
    ticks are the process's user + system time, reaped that of its
    children that ended."""
    machine, procs, bench = None, {}, None
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("cpu "):
                    machine = [int(x) for x in line.split()[1:]]
                elif line.startswith("bench "):
                    bench = line.split()[1]
                elif ") " in line:
                    # pid (name) state ppid ... utime stime cutime cstime: the
                    # name may hold spaces and parentheses, the last ") " ends it.
                    pid, rest = line.split(" (", 1)
                    name, rest = rest.rsplit(") ", 1)
                    f = rest.split()
                    procs[pid] = (name, f[1], int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
    except (FileNotFoundError, ValueError, IndexError):
        return None
    return (machine, procs, bench) if machine else None


@functools.lru_cache(maxsize=1)
def syscall_names():
    """{number: name} of this machine's system calls, from the kernel
    headers (linux-libc-dev, there with gcc); numbers where they are not."""
    names = {}
    for header in glob.glob("/usr/include/*/asm/unistd_64.h") + ["/usr/include/asm/unistd_64.h"]:
        try:
            with open(header) as f:
                for line in f:
                    m = re.match(r"#define __NR_(\w+) (\d+)", line)
                    if m:
                        names[int(m.group(2))] = m.group(1)
        except FileNotFoundError:
            continue
        break
    return names


def read_syscalls(path):
    """{(program, call number): count} from bpftrace's map in syscalls.txt."""
    counts = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"@\[(.*), (\d+)\]: (\d+)$", line.strip())
                if m:
                    key = (m.group(1), int(m.group(2)))
                    counts[key] = counts.get(key, 0) + int(m.group(3))
    except FileNotFoundError:
        return None
    return counts or None


def cpu_group(name):
    base = re.split(r"[/:-]", name)[0] if name.startswith(("kworker", "jbd2", "ksoftirqd", "rcu", "migration")) \
        else name
    for label, names in CPU_GROUPS:
        if base in names:
            return label
    return CPU_GROUPS[-1][0]


def cpu_split(start, end):
    """{report line: CPU ticks} between two proc_cpu_all snapshots, and
    the machine's busy ticks.  A process that ended in between counts
    through the one that reaped it (Postfix's master, the benchmark's
    shell), less what it had used before the start; any other is lost."""
    (m0, p0, bench), (m1, p1, _) = start, end
    out = {}

    def add(group, ticks):
        out[group] = out.get(group, 0) + ticks

    def same(pid):
        """The process pid of the start, if it still runs (a kernel
        worker's name changes with its work; the pid may be used again)."""
        old, new = p0.get(pid), p1.get(pid)
        return old if old and new and cpu_group(old[0]) == cpu_group(new[0]) else None

    reapers = {pid: ("[reaped]" if name == "master" else "[bench]")
               for pid, (name, *_) in p1.items() if name == "master" or pid == bench}
    for pid, (name, _, ticks, reaped) in p1.items():
        old = same(pid)
        group = "[bench]" if pid == bench else name
        add(cpu_group(group), ticks - (old[2] if old else 0))
        if pid in reapers:
            add(cpu_group(reapers[pid]), reaped - (old[3] if old else 0))
    for pid, (name, ppid, ticks, _) in p0.items():
        if ppid in reapers and same(pid) is None:
            add(cpu_group(reapers[ppid]), -ticks)
    # user nice system idle iowait irq softirq steal ...
    add(cpu_group("[irq]"), (m1[5] - m0[5]) + (m1[6] - m0[6]))
    busy = (sum(m1[:8]) - m1[3] - m1[4] - m1[7]) - (sum(m0[:8]) - m0[3] - m0[4] - m0[7])
    return out, busy


def load_runs(w, phase):
    """{mode: [Run per round]} for a phase."""
    runs = {}
    for folder in sorted(glob.glob(os.path.join(w, "runs", f"{phase}-r*-*"))):
        mode = folder.rsplit("-", 1)[1]
        if os.path.exists(os.path.join(folder, "timings.tsv")):
            runs.setdefault(mode, []).append(Run(folder))
    return runs


# ---- the report ------------------------------------------------------------------

MODES = ("none", "null", "nullack", "nulltag", "ticket")
MODE_NAMES = {"none": "no milter", "null": "do-nothing", "nullack": "do-nothing+acks",
              "nulltag": "do-nothing+acks+tags", "ticket": "ticket-milter"}
# Where ticket-milter sends acknowledgements: the do-nothing milter with
# them, and with them and a ticket message's header changes too.
ACK_MODES = ("nullack", "nulltag")
MILTER_MODES = ("null", "nullack", "nulltag", "ticket")


def shell(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def machine_lines(w, src):
    cpu = shell("lscpu | sed -n 's/^Model name: *//p' | head -n1") or "unknown CPU"
    mem = shell("free -g | awk '/^Mem:/ {print $2}'")
    fs = shell(f"df -T {w} | awk 'NR == 2 {{print $2}}'")
    postfix = shell("postconf -d -h mail_version")
    sqlite = shell("sqlite3 --version").split(" ")[0]
    milter = shell("dpkg-query -W -f='${Version}' libmilter1.0.1")
    version = shell(f"cat {w}/built-from 2>/dev/null") or shell(f"git -C {src} describe --always --dirty")
    load_before = shell(f"cat {w}/loadavg-before")
    load_after = " ".join(open("/proc/loadavg").read().split()[:3])
    return [f"machine: {cpu}, {os.cpu_count()} cores, {mem} GiB, Linux {os.uname().release}, "
            f"scratch on {fs} ({os.path.dirname(w)})",
            f"software: Postfix {postfix}, SQLite {sqlite}, libmilter {milter}, ticket-milter {version}",
            f"load average before / after the benchmark: {load_before} / {load_after} "
            "(1, 5, 15 min; other work on the machine shows here)"]


def durability_line(src):
    return ("store durability: WAL; the daemon's connection runs at synchronous=NORMAL and every commit is "
            "made durable by a group fdatasync() of the WAL before the milter answers end-of-message "
            "(src/store/pool.c): a message the MTA was told is accepted is recorded even after a power "
            "loss or kernel crash, as with synchronous=FULL; only the outbox's delivery states and the "
            "search index, which can be redone, skip the fsync")


def workload_line(w, phase):
    meta = os.path.join(w, "wl", phase, "meta.tsv")
    if not os.path.exists(meta):
        return ""
    kinds, sizes = {}, []
    with open(meta) as f:
        for line in f:
            _, kind, size, _ = line.rstrip("\n").split("\t")
            kinds[kind] = kinds.get(kind, 0) + 1
            sizes.append(int(size))
    mix = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    return (f"{len(sizes)} messages, {sum(sizes) / len(sizes) / 1024:.1f} KB average, "
            f"{min(sizes) / 1024:.1f}-{max(sizes) / 1024:.0f} KB: {mix}")


class Table:
    def __init__(self, runs):
        self.runs = runs
        self.rows = []

    def per_mode(self, label, fn, spec=".1f", modes=MODES):
        cells = []
        for mode in self.modes():
            vals = [fn(r) for r in self.runs.get(mode, [])] if mode in modes else []
            cells.append(fmt(median(vals), spec) if vals else "-")
        self.rows.append((label, cells))

    def modes(self):
        """The modes that ran; those with acknowledgements only where there are some."""
        return [m for m in MODES if m not in ACK_MODES or m in self.runs]

    def width(self):
        return max(17, 2 + max(len(MODE_NAMES[m]) for m in self.modes()))

    def last(self, text, note=""):
        """text in the last column, then note."""
        w = self.width()
        return f"{'':{w * (len(self.modes()) - 1)}s}{text:>{w}s}" + (f"   {note}" if note else "")

    def line(self, label, text):
        self.rows.append((label, text))

    def print(self):
        w = self.width()
        print(f"  {'':44s}" + "".join(f"{MODE_NAMES[m]:>{w}s}" for m in self.modes()))
        for label, cells in self.rows:
            if isinstance(cells, str):
                print(f"  {label:44s}{cells}")
            else:
                print(f"  {label:44s}" + "".join(f"{c:>{w}s}" for c in cells))


def paired(runs, fn, mode="ticket", base="null"):
    """fn(mode's run, base's run) for each round both modes ran."""
    out = []
    by_round = {}
    for m in (base, mode):
        for r in runs.get(m, []):
            rnd = r.env.get("round")
            by_round.setdefault(rnd, {})[m] = r
    for rnd in sorted(by_round):
        pair = by_round[rnd]
        if base in pair and mode in pair:
            out.append(fn(pair[mode], pair[base]))
    return out


def ratio_line(t, runs, label, mode, base, rate=Run.rate):
    """rate(mode's run) / rate(base's run) per round, a line with their
    median; returns the median."""
    ratios = paired(runs, lambda a, b: rate(a) / rate(b) if rate(a) and rate(b) else None, mode, base)
    if [x for x in ratios if x is not None]:
        t.line(label, t.last(fmt(median(ratios), '.3f'), f"(rounds: {' '.join(fmt(x, '.3f') for x in ratios)})"))
    return median(ratios)


def phase_report(w, phase, title):
    runs = load_runs(w, phase)
    if not runs:
        return None
    print(f"\n{title}\n  workload: {workload_line(w, phase)}")
    t = Table(runs)
    t.per_mode("accepted, messages/s", Run.rate, ".0f")
    ratio = ratio_line(t, runs, "  ratio ticket-milter / do-nothing", "ticket", "null")
    ceiling = ratio_line(t, runs, "  ratio do-nothing+acks / do-nothing", "nullack", "null")
    own = ratio_line(t, runs, "  ratio ticket-milter / do-nothing+acks", "ticket", "nullack")
    floor = ratio_line(t, runs, "  ratio do-nothing+acks+tags / do-nothing", "nulltag", "null")
    own_floor = ratio_line(t, runs, "  ratio ticket-milter / do-nothing+acks+tags", "ticket", "nulltag")
    t.per_mode("relayed to the sink, messages/s", Run.relay_rate, ".0f")
    t.per_mode("all delivered, acknowledgements too, msg/s", Run.done_rate, ".0f")
    ratio_line(t, runs, "  that ratio, ticket-milter / do-nothing", "ticket", "null", Run.done_rate)
    ratio_line(t, runs, "  that ratio, ticket-milter / do-nothing+acks", "ticket", "nullack", Run.done_rate)
    ratio_line(t, runs, "  that ratio, ticket-milter / do-nothing+acks+tags", "ticket", "nulltag", Run.done_rate)
    t.per_mode("client latency p50, ms (MAIL FROM to 250)", lambda r: pct(r.client_ms(), 50))
    t.per_mode("client latency p99, ms", lambda r: pct(r.client_ms(), 99))
    t.per_mode("in-milter latency p50, ms (elapsed=)", lambda r: pct(r.milter_ms(), 50),
               modes=MILTER_MODES)
    t.per_mode("in-milter latency p99, ms", lambda r: pct(r.milter_ms(), 99),
               modes=MILTER_MODES)
    added = {}
    for p in (50, 99):
        inside = paired(runs, lambda tk, nl: (pct(tk.milter_ms(), p) or 0) - (pct(nl.milter_ms(), p) or 0)
                        if tk.milter_ms() and nl.milter_ms() else None)
        client = paired(runs, lambda tk, nl: pct(tk.client_ms(), p) - pct(nl.client_ms(), p))
        added[p] = (median(inside), median(client))
    t.line("added by ticket-milter p50 / p99, ms", t.last(fmt(added[50][0]) + ' / ' + fmt(added[99][0]),
                                                         "inside the milter"))
    t.line("", t.last(fmt(added[50][1]) + ' / ' + fmt(added[99][1]), "at the client"))
    eom = {p: median([pct(r.eom_ms(), p) for r in runs.get("ticket", []) if r.eom_ms()]) for p in (50, 99)}
    t.line("the MTA waits at end of message p50 / p99, ms",
           t.last(fmt(eom[50]) + ' / ' + fmt(eom[99]),
                  "(eom=: the milter's own work, the do-nothing milter answers at once)"))
    t.per_mode("milter CPU seconds per 1,000 messages", Run.cpu_per_1000, ".2f", modes=MILTER_MODES)
    t.per_mode("milter peak resident memory (VmHWM), MB", Run.hwm_mb, ".1f", modes=MILTER_MODES)
    t.per_mode("machine CPU busy while sending, %", lambda r: float(r.env.get("machine_busy", "nan")) * 100, ".0f")
    ack50 = median([pct(r.ack_ms(), 50) for r in runs.get("ticket", [])])
    ack99 = median([pct(r.ack_ms(), 99) for r in runs.get("ticket", [])])
    counts = [(len(r.ack_ms()), len(r.queued)) for r in runs.get("ticket", [])]
    if any(q for _, q in counts):
        t.line("acknowledgement, end of message to sink,", t.last(fmt(ack50, '.0f') + ' / ' + fmt(ack99, '.0f'),
               f"p50 / p99 ms ({', '.join(f'{a}/{q}' for a, q in counts)} arrived)"))
    t.print()
    work, work_acks = cpu_report(runs)
    syscall_report(runs)
    not_accepted = {m: sum(len(r.timings) - r.accepted() for r in rs) for m, rs in runs.items()}
    if any(not_accepted.values()):
        print(f"  NOT ACCEPTED (all rounds): {not_accepted}")
    return {"runs": runs, "ratio": ratio, "ceiling": ceiling, "own": own, "floor": floor, "own_floor": own_floor,
            "added_p99": added[99], "ack_p99": ack99, "eom_p99": eom[99], "work": work, "work_acks": work_acks}


def cpu_report(runs):
    """Where the machine's CPU went, per message: while the messages
    were being sent (what the accepted rate is measured over) and until
    every message and acknowledgement was at the sink (all the work,
    whenever the MTA did it)."""
    if not any(r.cpu_ms("sent") for rs in runs.values() for r in rs):
        return None, None
    t = Table(runs)

    def cell(mode, key):
        vals = [median([r.cpu_ms(until).get(key, 0) for r in runs.get(mode, []) if r.cpu_ms(until)])
                for until in ("sent", "delivered")]
        return " / ".join(fmt(v, ".2f") for v in vals)

    for label, _ in CPU_GROUPS:
        t.rows.append((label, [cell(m, label) for m in t.modes()]))
    t.rows.append(("all CPUs busy (/proc/stat)", [cell(m, "machine") for m in t.modes()]))

    def work(r):
        """Messages per CPU-second of the machine until all was delivered,
        the benchmark's own share left out (the same clients in every
        mode, and its waiting lasts as long as the run)."""
        cpu = r.cpu_ms("delivered")
        if not cpu:
            return None
        used = cpu["machine"] - cpu.get(BENCH_GROUP, 0)
        return 1000 / used if used > 0 else None

    ratios = (ratio_line(t, runs, "  CPU per message, do-nothing / ticket-milter", "ticket", "null", work),
              ratio_line(t, runs, "  the same, do-nothing+acks / ticket-milter", "ticket", "nullack", work))
    ratio_line(t, runs, "  the same, do-nothing+acks+tags / ticket-milter", "ticket", "nulltag", work)
    print("\n  where the machine's CPU went, ms per message: while sending / until all was at the sink "
          "(medians of the rounds;\n  Postfix's cleanup receives each message and holds the milter's header, "
          "body and end-of-message steps;\n  a Postfix process ends after max_use (100) clients, and its time "
          "shows on the line of those that ended;\n  the ratios leave the benchmark's own share out)")
    t.print()
    return ratios


def syscall_report(runs):
    """With --syscalls: system calls per message by program, from the
    start of the sending until everything was at the sink, and the most
    frequent calls of the milter and of Postfix's cleanup."""
    if not any(r.syscalls() for rs in runs.values() for r in rs):
        return
    t = Table(runs)

    def per_group(mode, group, call=None):
        vals = [sum(v for (g, c), v in r.syscalls().items() if g == group and (call is None or c == call))
                for r in runs.get(mode, []) if r.syscalls()]
        return median(vals) if vals else None

    for label, _ in CPU_GROUPS:
        cells = [per_group(m, label) for m in t.modes()]
        if any(cells):
            t.rows.append((label, [fmt(c, ".1f") for c in cells]))
    for group in ("the milter", "Postfix cleanup"):
        calls = {}
        for mode in t.modes():
            for r in runs.get(mode, []):
                for (g, c), v in (r.syscalls() or {}).items():
                    if g == group:
                        calls[c] = max(calls.get(c, 0), v)
        for call in sorted(calls, key=lambda c: -calls[c])[:5]:
            t.rows.append((f"  {group}: {call}", [fmt(per_group(m, group, call), ".1f") for m in t.modes()]))
    print("\n  system calls per message, from the start of the sending until all was at the sink "
          "(bpftrace, --syscalls; medians of the rounds)")
    t.print()


def outcomes(run):
    """What ticket-milter did with the messages of one run."""
    kinds = {}
    for line in run.log_lines:
        m = re.search(r": (new ticket|follow-up to|redelivery of|our own mail|reply for|note for)", line)
        if m:
            what = m.group(1)
            rule = re.search(r"\((signed-message-id|token|body-reference|known-message-id|subject-tag)\)", line)
            if rule:
                what += " (" + rule.group(1) + ")"
            if what == "reply for":
                what = "agent reply"
            kinds[what] = kinds.get(what, 0) + 1
        m = re.search(r"no acknowledgement: (.*)$", line)
        if m:
            kinds["no ack: " + m.group(1)[:60]] = kinds.get("no ack: " + m.group(1)[:60], 0) + 1
        if "tempfail" in line or "error:" in line:
            kinds["ERRORS"] = kinds.get("ERRORS", 0) + 1
    kinds["acknowledgements queued"] = len(run.queued)
    return kinds


def mem_report(w):
    out = {}
    for mode in ("null", "ticket"):
        env = read_env(os.path.join(w, "runs", f"memory-sessions-{mode}", "stats.env"))
        if env:
            out[mode] = env
    big = read_env(os.path.join(w, "runs", "memory-big", "stats.env"))
    if not out and not big:
        return None
    print("\nMemory")
    for mode, env in out.items():
        print(f"  {MODE_NAMES[mode]:14s} 100 concurrent SMTP sessions (3 messages each, then held open): "
              f"resident {int(env.get('held_vmrss_kb', 0)) / 1024:.1f} MB while held "
              f"({env.get('held_milter_connections', '?')} milter connections, {env.get('held_threads', '?')} threads), "
              f"peak {int(env.get('vmhwm_kb', 0)) / 1024:.1f} MB")
    raise_mb = None
    if big:
        before = int(big["before_vmrss_kb"])
        peak = max(int(big.get("sampled_peak_vmrss_kb", 0)),
                   int(big["after_vmhwm_kb"]) if int(big["after_vmhwm_kb"]) > int(big["before_vmhwm_kb"]) else 0)
        raise_mb = (peak - before) / 1024
        folder = os.path.join(w, "runs", "memory-big")
        run = Run(folder) if os.path.exists(os.path.join(folder, "timings.tsv")) else None
        took = f"; accepted after {run.client_ms()[-1] / 1000:.1f} s, {run.milter_ms()[-1] / 1000:.1f} s inside the milter" \
            if run and run.client_ms() and run.milter_ms() else ""
        print(f"  ticket-milter  one 100 MB message: resident {before / 1024:.1f} MB before, "
              f"peak {peak / 1024:.1f} MB while processing (+{raise_mb:.1f} MB), "
              f"{int(big['after_vmrss_kb']) / 1024:.1f} MB after{took}")
    return {"sessions_mb": int(out["ticket"]["vmhwm_kb"]) / 1024 if "ticket" in out else None,
            "held_mb": int(out["ticket"].get("held_vmrss_kb", 0)) / 1024 if "ticket" in out else None,
            "raise_mb": raise_mb}


def verdict(ok):
    return "  n/a " if ok is None else (" PASS " if ok else " FAIL ")


def cmd_report(w, sessions, rounds, ack_route="reinject", syscalls="0"):
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("=" * 100)
    print("ticket-milter benchmark (bench/run)")
    for line in machine_lines(w, src):
        print(line)
    print(durability_line(src))
    print(f"load: {sessions} parallel SMTP sessions into a private Postfix on loopback, one message per "
          f"connection, relayed to smtp-sink; {rounds} rounds, modes rotated; medians of the rounds")
    if syscalls == "1":
        print("--syscalls: bpftrace counted every system call of every run; that costs each call a little, "
              "so this run's timings and ratios are not the benchmark's")
    if ack_route == "off":
        print("acknowledgements: turned off ([autoreply] never-to = .), for comparison: what ticket-milter "
              "costs without the mail it sends; the targets are for the default setup, so no verdicts on these")
    elif ack_route == "sink":
        print("acknowledgements: [outbox] smtp = 127.0.0.1:<the sink's port>, straight to the sink; "
              "latency = sink file mtime - the log stamp of the customer's message")
    elif ack_route == "postfix":
        print("acknowledgements: [outbox] smtp = 127.0.0.1:<the private Postfix's port>, so they pass Postfix "
              "(and the milter) again before the sink; latency = sink file mtime - the log stamp of the "
              "customer's message")
    else:
        print("acknowledgements and agent replies: [outbox] smtp = 127.0.0.1:<the private Postfix's second "
              "listener, without milters (the README's Postfix setup)>, then Postfix relays them to the sink; "
              "latency = sink file mtime - the log stamp of the customer's message")
    res = {}
    res["mixed"] = phase_report(w, "mixed", "Support mail (phase mixed)")
    res["10k"] = phase_report(w, "10k", "10 KB messages (phase 10k)")
    res["serial"] = phase_report(w, "serial", "10 KB messages one at a time (phase serial: 1 session, nothing to wait for)")
    res["foreign"] = phase_report(w, "foreign", "Mail that is not for a queue (phase foreign)")
    if res["mixed"] and res["mixed"]["runs"].get("ticket"):
        run = res["mixed"]["runs"]["ticket"][0]
        kinds = outcomes(run)
        print("\n  what ticket-milter did with the mixed workload (round 1): " +
              "; ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
        env = run.env
        if env.get("db_tickets"):
            print(f"  its database after the run: {int(env['db_bytes']) / 1048576:.1f} MB for {env['db_tickets']} "
                  f"tickets and {env['db_messages']} messages = {int(env['db_bytes']) / int(env['db_tickets']) / 1024:.1f} KB "
                  f"per ticket (acknowledgements are kept in the outbox)")
    mem = mem_report(w)
    print("\nTargets")
    rows = []
    mx, tk, fr = res["mixed"], res["10k"], res["foreign"]
    if mx:
        rows.append((None if ack_route == "off" else mx["ratio"] is not None and mx["ratio"] >= 0.9,
                     f"throughput at {sessions} sessions >= 0.9 x do-nothing (support mail, every commit durable)",
                     f"{fmt(mx['ratio'], '.3f')}"))
        if mx["ceiling"] is not None:
            rows.append((None, "  do-nothing+acks / do-nothing: a milter that costs nothing, the same acknowledgements",
                         f"{fmt(mx['ceiling'], '.3f')}"))
            rows.append((None, "  ticket-milter / do-nothing+acks: what ticket-milter's own work costs",
                         f"{fmt(mx['own'], '.3f')}"))
        if mx["floor"] is not None:
            rows.append((None, "  do-nothing+acks+tags / do-nothing: also the header changes of every ticket message",
                         f"{fmt(mx['floor'], '.3f')}"))
            rows.append((None, "  ticket-milter / do-nothing+acks+tags: its work beyond what any such milter costs",
                         f"{fmt(mx['own_floor'], '.3f')}"))
        if mx["work"] is not None:
            rows.append((None, "  CPU per message until all was delivered, do-nothing / ticket-milter",
                         f"{fmt(mx['work'], '.3f')}"))
        if mx["work_acks"] is not None:
            rows.append((None, "  the same, do-nothing+acks / ticket-milter",
                         f"{fmt(mx['work_acks'], '.3f')}"))
    if tk:
        inside, client = tk["added_p99"]
        rows.append((None if ack_route == "off" else inside is not None and inside <= 5,
                     "added latency p99 <= 5 ms, 10 KB messages (inside the milter)",
                     f"{fmt(inside)} ms (at the client: {fmt(client)} ms)"))
        rows.append((None if ack_route == "off" else tk["eom_p99"] is not None and tk["eom_p99"] <= 5,
                     "  what the MTA waits at end of message under that load, p99 (eom=)",
                     f"{fmt(tk['eom_p99'])} ms"))
        if res["serial"]:
            inside1, client1 = res["serial"]["added_p99"]
            rows.append((inside1 is not None and inside1 <= 5,
                         "  the same, one message at a time (1 session, not the target's load)",
                         f"{fmt(inside1)} ms (at the client: {fmt(client1)} ms)"))
        rows.append((None if ack_route == "off" else tk["ack_p99"] is not None and tk["ack_p99"] <= 1000,
                     "acknowledgement at the sink p99 <= 1 s under that load",
                     f"{fmt(tk['ack_p99'] / 1000 if tk['ack_p99'] is not None else None, '.2f')} s"))
    rows.append((None, "look-ups at 1,000,000 tickets p99 <= 1 ms", "bench/run --store-scale"))
    if mem:
        rows.append((mem["sessions_mb"] is not None and mem["sessions_mb"] <= 100,
                     "resident memory with 100 concurrent SMTP sessions <= 100 MB",
                     f"{fmt(mem['sessions_mb'])} MB peak ({fmt(mem['held_mb'])} MB while held)"))
        rows.append((mem["raise_mb"] is not None and mem["raise_mb"] <= 20,
                     "a 100 MB message raises resident memory by <= 20 MB", f"+{fmt(mem['raise_mb'])} MB"))
    if fr:
        rows.append((fr["ratio"] is not None and fr["ratio"] >= 0.98,
                     "mail not for a queue: throughput >= 0.98 x do-nothing", f"{fmt(fr['ratio'], '.3f')}"))
    for ok, what, figure in rows:
        print(f"  [{verdict(ok)}] {what:84s} {figure}")
    print("=" * 100)


# ---- profile --------------------------------------------------------------------------


def cmd_profile(w, messages):
    folder = os.path.join(w, "profile")
    print("\nProfile of ticket-milter, mixed workload")
    for name, title in (("flat.txt", "perf, self time by function (top 25)"),
                        ("graph.txt", "perf, time including callees (>= 2%)")):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            print(f"\n  {title}:")
            with open(path) as f:
                for line in list(f)[:25 if name == "flat.txt" else 45]:
                    print("   " + line.rstrip()[:140])
    path = os.path.join(folder, "strace.txt")
    if os.path.exists(path):
        print(f"\n  strace -c -f, {messages} messages (system calls per message):")
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and parts[0][0].isdigit():
                    calls = int(parts[3])
                    name = parts[-1]
                    print(f"   {name:20s} {calls:9d} calls  {calls / int(messages):7.1f}/message  "
                          f"{parts[1]:>10s} s  {parts[0]:>6s}%")
                elif "total" in line:
                    print("   " + line.strip())


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "scan":
        cmd_scan(*args)
    elif cmd == "tokens":
        cmd_tokens(*args)
    elif cmd == "acks":
        cmd_acks(*args)
    elif cmd == "bigmessage":
        cmd_bigmessage(*args)
    elif cmd == "report":
        cmd_report(*args)
    elif cmd == "profile":
        cmd_profile(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
