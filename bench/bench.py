#!/usr/bin/env python3
"""The cforg benchmarks (see docs/BENCHMARKS.md). Run through bench/run.sh, which builds the
programs first; this script only runs them.

    bench.py --build DIR --work DIR --out DIR [--quick] [--rounds N] BENCH...
    BENCH: apply-latency | throughput | plan-scale | refresh | consistency | young-window |
           requests | shared-budget | contents-apply | contents-refresh | controller

Every number comes from contenders run side by side: each round runs every contender once, in
a rotated order, and the report gives the median over rounds with the min..max spread, and
ratios computed within each round (paired), so that a noisy neighbour slows both sides of a
ratio rather than one. Raw measurements go to OUT/BENCH.json, the tables to OUT/BENCH.md and
stdout.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "bench-token"


# ---------------------------------------------------------------------------------------------
# Plumbing


def machine():
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "loadavg": load, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def fsync_ms(directory, samples=50):
    """Median fdatasync() latency of a 300-byte append in `directory`, in ms: what one journal
    commit costs on this disk right now (it varies with the neighbours' I/O)."""
    path = os.path.join(directory, f".fsync-probe-{os.getpid()}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    took = []
    try:
        for _ in range(samples):
            os.write(fd, b"x" * 299 + b"\n")
            t = time.perf_counter()
            os.fdatasync(fd)
            took.append((time.perf_counter() - t) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(took)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Emulator:
    def __init__(self, build, *flags, log=None):
        """`log`: a file for the emulator's stderr (with `-v`, one line per API request:
        method, path, status), read back with log_lines()."""
        self.log = log
        self.log_file = open(log, "w") if log else None
        self.proc = subprocess.Popen(
            [os.path.join(build, "cforg-emulator"), "--port", "0", "--token", TOKEN, *flags],
            stdout=subprocess.PIPE, stderr=self.log_file or subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (http://\S+/client/v4)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"emulator did not start: {line!r}")
        self.url = m.group(1)
        self.root = self.url[: -len("/client/v4")]

    def stats(self):
        with urllib.request.urlopen(self.root + "/__emulator/stats") as r:
            return json.load(r)

    def cpu_seconds(self):
        """User + system CPU the emulator has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_lines(self):
        """The stderr lines so far (with `-v`: `METHOD /path -> status (ms)`)."""
        with open(self.log) as f:
            return f.read().splitlines()

    def env(self):
        e = dict(os.environ)
        e.update(CLOUDFLARE_BASE_URL=self.url, CLOUDFLARE_API_TOKEN=TOKEN, NO_COLOR="1")
        e.pop("CFORG_LOG", None)
        return e

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.log_file:
            self.log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run(cmd, env=None, out=None, err=None, check=True, preload=None, timeout=None):
    """Runs cmd to completion: (wall seconds, exit code, rusage). Wall time is measured around
    fork+exec+wait of this one process. `timeout` (s): killed after that long, an error."""
    env = dict(env or os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
    fout = open(out, "w") if out else subprocess.DEVNULL
    ferr = open(err, "w") if err else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=fout, stderr=ferr, stdin=subprocess.DEVNULL)
        timer = None
        if timeout:
            import threading
            timer = threading.Timer(timeout, p.kill)
            timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
            if wall >= timeout:
                raise SystemExit(f"timed out after {timeout} s: {' '.join(cmd)}")
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if out:
            fout.close()
        if err:
            ferr.close()
    if check and p.returncode != 0:
        detail = ""
        for path in (out, err):
            if path and os.path.exists(path):
                with open(path) as f:
                    detail += f.read()[-2000:]
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{detail}")
    return wall, p.returncode, usage


def med(xs):
    return statistics.median(xs)


def spread(xs, fmt="{:.3f}"):
    """'median (min..max)'."""
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}..{fmt.format(max(xs))})"


def rotated(items, r):
    k = r % len(items)
    return items[k:] + items[:k]


def gen(kind, n, path):
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), kind, str(n), path + ".tmp"],
                       check=True)
        os.replace(path + ".tmp", path)
    return path


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def delta(before, after):
    by = lambda s: s.get("requests_by_method", {})
    d = {"total": after["requests_total"] - before["requests_total"]}
    for m in set(by(before)) | set(by(after)):
        n = by(after).get(m, 0) - by(before).get(m, 0)
        if n:
            d[m] = n
    return d


class Report:
    def __init__(self, name, out_dir, params):
        self.name = name
        self.out_dir = out_dir
        self.data = {"benchmark": name, "machine": machine(), "params": params, "rounds": []}
        self.lines = []

    def line(self, s=""):
        self.lines.append(s)
        print(s, flush=True)

    def table(self, header, rows):
        self.line("| " + " | ".join(header) + " |")
        self.line("|" + "---|" * len(header))
        for r in rows:
            self.line("| " + " | ".join(str(c) for c in r) + " |")
        self.line()

    def save(self):
        self.data["machine"]["loadavg_end"] = loadavg()
        os.makedirs(self.out_dir, exist_ok=True)
        with open(os.path.join(self.out_dir, self.name + ".json"), "w") as f:
            json.dump(self.data, f, indent=2)
        with open(os.path.join(self.out_dir, self.name + ".md"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def header(rep, what):
    m = rep.data["machine"]
    rep.line(f"## {what}")
    rep.line()
    rep.line(f"machine: {m['nproc']} CPUs, {m['cpu']}, kernel {m['kernel']}; "
             f"load average at start {m['loadavg']}; {m['date']}")
    rep.line(f"parameters: {json.dumps(rep.data['params'])}")
    rep.line()


def cforg_cmd(a, *args):
    return [os.path.join(a.build, "cforg"), *args]


# ---------------------------------------------------------------------------------------------
# 1. Latency-bound apply


def bench_apply_latency(a):
    n = 200 if a.quick else 2000
    latency, par = (20 if a.quick else 50), 16
    rounds = a.rounds or (2 if a.quick else 5)
    ideal = n * latency / 1000 / par
    rep = Report("apply-latency", a.out, {"orgs": n, "latency_ms": latency, "parallelism": par,
                                          "rounds": rounds, "ideal_s": ideal})
    header(rep, f"1. Latency-bound apply: {n} creates, emulator --latency-ms {latency}, "
                f"--parallelism {par}")
    work = os.path.join(a.work, "apply-latency")
    os.makedirs(work, exist_ok=True)
    cfg = gen("config", n, os.path.join(work, f"estate-{n}.yaml"))
    tree = gen("tree", n, os.path.join(work, f"estate-{n}.tsv"))
    net = ["--parallelism", str(par), "--rate-limit", "0"]
    loop_bin = os.path.join(a.build, "bench", "curl_post_loop")
    slow_fsync = os.path.join(a.build, "bench", "libslow_fsync.so")
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None

    # (name, description, options). Each runs on its own fresh emulator, with a fresh state.
    contenders = [
        ("cforg", "`cforg apply` (as shipped, state on disk)", {"kind": "cforg"}),
        ("cforg_tmpfs", "diagnostic: `cforg apply`, state on tmpfs (fsync ≈ free)",
         {"kind": "cforg", "tmpfs": True}),
        ("cforg_slowfsync", "diagnostic: `cforg apply`, every fsync +4 ms (LD_PRELOAD shim: "
         "a slower disk)", {"kind": "cforg", "preload": slow_fsync}),
        ("loop", "`curl_post_loop`: libcurl, keep-alive (the minimal client)", {"kind": "loop"}),
    ]
    if not shm:
        contenders = [c for c in contenders if not c[2].get("tmpfs")]

    for r in range(rounds):
        res = {"loadavg": loadavg(), "fsync_ms": fsync_ms(work)}
        for name, _, o in rotated(contenders, r):
            with Emulator(a.build, "--latency-ms", str(latency)) as emu:
                env = emu.env()
                if o["kind"] == "loop":
                    wall, _, use = run([loop_bin, "--url", emu.url, "--token", TOKEN, "--tree", tree,
                                        "--concurrency", str(par)])
                    s1 = emu.stats()
                    res[name] = {"wall": wall, "max_in_flight": s1["max_in_flight"]}
                else:
                    base = shm if o.get("tmpfs") else work
                    d = fresh_dir(os.path.join(base, f"cforg-bench-{os.getpid()}-{name}"))
                    st = os.path.join(d, "cforg.state.json")
                    res[name] = {}
                    if name == "cforg":
                        # What apply does before its first POST, on the same fresh emulator:
                        # the plan alone, with and without its remote read.
                        plans = [("plan_local", ["--refresh=false"]), ("plan_remote", [])]
                        for pname, extra in rotated(plans, r):
                            s0 = emu.stats()
                            wall, _, _ = run(cforg_cmd(a, "plan", "-c", cfg, "--state", st, *net,
                                                       *extra),
                                             env=env, out=os.path.join(work, pname + ".out"))
                            res[pname] = {"wall": wall, "requests": delta(s0, emu.stats())}
                    s0 = emu.stats()
                    err = os.path.join(work, name + ".err")
                    wall, _, use = run(cforg_cmd(a, "apply", "-c", cfg, "--state", st,
                                                 "--auto-approve", "--log-level", "info", *net),
                                       env=env, out=os.path.join(work, name + ".out"), err=err,
                                       preload=o.get("preload"))
                    s1 = emu.stats()
                    with open(err) as f:
                        text = f.read()
                    m = re.search(r"read (\d+) organizations with (\d+) requests", text)
                    syncs = re.search(r"slow_fsync: (\d+) fdatasync", text)
                    res[name] = {"wall": wall, "requests": delta(s0, s1),
                                 "max_in_flight": s1["max_in_flight"],
                                 "pre_read_requests_logged": int(m.group(2)) if m else None,
                                 "cpu": use.ru_utime + use.ru_stime,
                                 "fdatasyncs": int(syncs.group(1)) if syncs else None}
                    shutil.rmtree(d, ignore_errors=True)
                if s1["organizations"] != n:
                    raise SystemExit(f"{name} made {s1['organizations']} orgs, not {n}")
        rep.data["rounds"].append(res)
        print(f"  round {r}: " + ", ".join(f"{k} {v['wall']:.3f}s" for k, v in res.items()
                                           if isinstance(v, dict)), file=sys.stderr, flush=True)

    R = rep.data["rounds"]
    col = lambda f: [f(x) for x in R]
    apply_w = col(lambda x: x["cforg"]["wall"])
    pre = col(lambda x: x["plan_remote"]["wall"] - x["plan_local"]["wall"])
    rows = []
    for name, desc, _ in contenders:
        rows.append([desc, spread(col(lambda x: x[name]["wall"])),
                     spread(col(lambda x: x[name]["wall"] / ideal), "{:.3f}×"),
                     spread(col(lambda x: x["cforg"]["wall"] / x[name]["wall"]), "{:.3f}×")])
        if name == "cforg":
            rows += [
                ["… of which `cforg plan` with its remote read (all apply does before the first "
                 "POST)", spread(col(lambda x: x["plan_remote"]["wall"])),
                 spread(col(lambda x: x["plan_remote"]["wall"] / ideal), "{:.3f}×"), ""],
                ["… `cforg plan --refresh=false` (start, config, state, plan; no network)",
                 spread(col(lambda x: x["plan_local"]["wall"])), "", ""],
                ["… the remote read = plan − plan --refresh=false", spread(pre),
                 spread([p / ideal for p in pre], "{:.3f}×"), ""],
                ["… the rest: creates, journal, state save = apply − plan",
                 spread(col(lambda x: x["cforg"]["wall"] - x["plan_remote"]["wall"])),
                 spread(col(lambda x: (x["cforg"]["wall"] - x["plan_remote"]["wall"]) / ideal),
                        "{:.3f}×"), ""]]
    rep.table(["contender", "wall s, median (min..max)", f"vs ideal {ideal:.2f} s",
               "cforg apply / this (paired)"], rows)
    last = R[-1]["cforg"]
    over = med(apply_w) / ideal - 1
    rep.line(f"requests sent by `cforg apply`: {json.dumps(last['requests'])}; of them before "
             f"the plan (the duplicate-check lookups): {last['pre_read_requests_logged']} "
             f"(from `--log-level info`); max in flight at the emulator {last['max_in_flight']}; "
             f"apply CPU (user+sys) median {med(col(lambda x: x['cforg']['cpu'])):.2f} s")
    rep.line(f"overhead over ideal: median {over * 100:.1f} % (target ≤ 15 %: "
             f"{'met' if over <= 0.15 else 'NOT met'}); the remote read is "
             f"{med(pre) / (med(apply_w) - ideal) * 100 if med(apply_w) > ideal else 0:.0f} % "
             f"of that overhead")
    probes = ", ".join(f"{x['fsync_ms']:.2f}" for x in R)
    rep.line(f"fdatasync latency of the state's disk, per round (median of 50): {probes} ms")
    if "cforg_slowfsync" in R[-1]:
        syncs = med(col(lambda x: x["cforg_slowfsync"]["fdatasyncs"]))
        rep.line(f"journal commits with fsync +4 ms: {syncs:.0f} fdatasync for {n} creates "
                 f"({n / syncs:.1f} records per commit)")
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 2. Throughput vs raw libcurl


def bench_throughput(a):
    n = 500 if a.quick else 2000
    par = 16
    rounds = a.rounds or (2 if a.quick else 7)
    rep = Report("throughput", a.out, {"orgs": n, "latency_ms": 0, "concurrency": par,
                                       "rounds": rounds})
    header(rep, f"2. Throughput: {n} creates at 0 latency, {par} in flight, cforg vs libcurl loop")
    work = os.path.join(a.work, "throughput")
    os.makedirs(work, exist_ok=True)
    cfg = gen("config", n, os.path.join(work, f"estate-{n}.yaml"))
    tree = gen("tree", n, os.path.join(work, f"estate-{n}.tsv"))
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    slow_fsync = os.path.join(a.build, "bench", "libslow_fsync.so")
    loop_bin = os.path.join(a.build, "bench", "curl_post_loop")

    # (name, description, kind, options)
    contenders = [
        ("cforg", "`cforg apply`, state on disk (as shipped)", "cforg", {}),
        ("cforg_tmpfs", "`cforg apply`, state on tmpfs (fsync ≈ free)", "cforg", {"tmpfs": True}),
        ("cforg_slowfsync", "`cforg apply`, every fsync +4 ms (LD_PRELOAD shim: a slower disk)",
         "cforg", {"preload": slow_fsync}),
        ("loop", "loop: libcurl, keep-alive, body from memory (the minimal client)", "loop",
         {"args": []}),
        ("loop_via_client", "loop through cforg's API client (api::HttpClient): no executor, "
         "no journal", "loop", {"args": ["--via", "cforg-client"]}),
        ("loop_fresh", "loop with a fresh connection per POST (what cforg did before finding 3)", "loop",
         {"args": ["--connection", "fresh"]}),
    ]
    if not shm:
        contenders = [c for c in contenders if not c[3].get("tmpfs")]

    for r in range(rounds):
        res = {"loadavg": loadavg(), "fsync_ms": fsync_ms(work)}
        for name, _, kind, o in rotated(contenders, r):
            with Emulator(a.build) as emu:
                c0 = emu.cpu_seconds()
                out = os.path.join(work, name + ".out")
                if kind == "cforg":
                    base = shm if o.get("tmpfs") else work
                    d = fresh_dir(os.path.join(base, f"cforg-bench-{os.getpid()}-{name}"))
                    err = os.path.join(work, name + ".err")
                    wall, _, use = run(
                        cforg_cmd(a, "apply", "-c", cfg, "--state", os.path.join(d, "s.json"),
                                  "--auto-approve", "--parallelism", str(par), "--rate-limit", "0"),
                        env=emu.env(), out=out, err=err, preload=o.get("preload"))
                    shutil.rmtree(d, ignore_errors=True)
                    with open(err) as f:
                        syncs = re.search(r"slow_fsync: (\d+) fdatasync", f.read())
                    with open(out) as f:
                        m = re.search(r"Apply complete: .* in ([0-9.]+) s\.", f.read())
                    if not m:
                        raise SystemExit(f"{name}: no 'Apply complete ... in X s.' in {out}")
                    phase = float(m.group(1))
                else:
                    wall, _, use = run([loop_bin, "--url", emu.url, "--token", TOKEN, "--tree", tree,
                                        "--concurrency", str(par), *o["args"]], out=out)
                    with open(out) as f:
                        phase = json.load(f)["seconds"]
                    syncs = None
                st = emu.stats()
                if st["organizations"] != n:
                    raise SystemExit(f"{name} made {st['organizations']} orgs, not {n}")
                res[name] = {"wall": wall, "phase": phase, "creates_per_s": n / phase,
                             "client_cpu": use.ru_utime + use.ru_stime,
                             "emulator_cpu": emu.cpu_seconds() - c0,
                             "requests": st["requests_total"],
                             "max_in_flight": st["max_in_flight"],
                             "fdatasyncs": int(syncs.group(1)) if syncs else None}
        rep.data["rounds"].append(res)
        print(f"  round {r}: " + ", ".join(f"{k} {v['creates_per_s']:.0f}/s"
                                           for k, v in res.items() if isinstance(v, dict)),
              file=sys.stderr, flush=True)

    R = rep.data["rounds"]
    rep.line("Creates per second over the create phase: from the first request to the last "
             "answer (the loop's own clock), or to the last result durable in the journal "
             "(cforg's, printed as `Apply complete: ... in X s`). Wall: the whole process, "
             "cforg's reading the config, planning and saving the state included.")
    rep.line()
    rows = []
    for name, desc, _, _ in contenders:
        col = lambda f: [f(x[name]) for x in R]
        rows.append([desc, spread(col(lambda x: x["creates_per_s"]), "{:.0f}"),
                     spread(col(lambda x: x["phase"])), spread(col(lambda x: x["wall"])),
                     f"{med(col(lambda x: x['client_cpu'])):.2f}",
                     f"{med(col(lambda x: x['emulator_cpu'])):.2f}"])
    rep.table(["contender", "creates/s median (min..max)", "create phase s", "wall s",
               "client CPU s", "emulator CPU s"], rows)
    rep.line("cforg against the loop, paired per round, median (min..max); target ≥ 0.70 "
             "of the loop's creates per second:")
    rep.line()
    rows = []
    for mine in [c[0] for c in contenders if c[2] == "cforg"] + ["loop_via_client"]:
        for ref in ("loop", "loop_fresh"):
            phase = [x[ref]["phase"] / x[mine]["phase"] for x in R]
            wall = [x[ref]["wall"] / x[mine]["wall"] for x in R]
            rows.append([mine, ref, spread(phase, "{:.2f}"), spread(wall, "{:.2f}"),
                         "met" if med(phase) >= 0.7 else "NOT met"])
    rep.table(["contender", "against", "creates/s ratio (create phase)",
               "ratio of whole-process wall times", "≥ 0.70 (create phase)?"], rows)
    probes = ", ".join(f"{x['fsync_ms']:.2f}" for x in R)
    rep.line(f"fdatasync latency of the state's disk, per round (median of 50): {probes} ms")
    syncs = med([x["cforg_slowfsync"]["fdatasyncs"] for x in R])
    rep.line(f"journal commits with fsync +4 ms: {syncs:.0f} fdatasync for {n} creates "
             f"({n / syncs:.1f} records per commit)")
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 3. Plan at scale


def time_v(cmd, out):
    """Runs cmd under /usr/bin/time -v: (wall seconds measured here, peak RSS in MiB)."""
    tv = out + ".time"
    wall, _, _ = run(["/usr/bin/time", "-v", "-o", tv, *cmd], out=out)
    with open(tv) as f:
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1))
    return wall, rss_kb / 1024


def bench_plan_scale(a):
    sizes = [1000, 3000] if a.quick else [10000, 30000, 100000]
    rounds = a.rounds or (2 if a.quick else 5)
    rep = Report("plan-scale", a.out, {"sizes": sizes, "rounds": rounds})
    header(rep, "3. Plan at scale: `cforg plan --refresh=false` vs parsing alone")
    work = os.path.join(a.work, "plan-scale")
    os.makedirs(work, exist_ok=True)
    baseline = os.path.join(a.build, "bench", "parse_baseline")
    inputs = {}
    for n in sizes:
        cfg = gen("config", n, os.path.join(work, f"estate-{n}.yaml"))
        st = gen("state", n, os.path.join(work, f"estate-{n}.state.json"))
        # The state must match the config: a plan with nothing to do.
        _, rc, _ = run(cforg_cmd(a, "plan", "-c", cfg, "--state", st, "--refresh=false",
                                 "--detailed-exitcode"), out=os.path.join(work, "check.out"),
                       check=False)
        if rc != 0:
            raise SystemExit(f"the generated state for {n} orgs does not match its config "
                             f"(plan --detailed-exitcode exited {rc})")
        inputs[n] = (cfg, st, os.path.getsize(cfg), os.path.getsize(st))
    rep.data["inputs"] = {n: {"config_bytes": v[2], "state_bytes": v[3]} for n, v in inputs.items()}

    for r in range(rounds):
        res = {"loadavg": loadavg()}
        for n in sizes:
            cfg, st, _, _ = inputs[n]
            out = os.path.join(work, f"out-{n}")
            contenders = [
                ("cforg", cforg_cmd(a, "plan", "-c", cfg, "--state", st, "--refresh=false",
                                    "--detailed-exitcode")),
                ("baseline", [baseline, cfg, st]),
            ]
            res[n] = {}
            for name, cmd in rotated(contenders, r):
                wall, rss = time_v(cmd, out + "-" + name)
                res[n][name] = {"wall": wall, "rss_mib": rss}
        rep.data["rounds"].append(res)
        print(f"  round {r}: " + ", ".join(
            f"{n}: cforg {res[n]['cforg']['wall']:.3f}s/{res[n]['cforg']['rss_mib']:.0f}MiB "
            f"baseline {res[n]['baseline']['wall']:.3f}s/{res[n]['baseline']['rss_mib']:.0f}MiB"
            for n in sizes), file=sys.stderr, flush=True)

    R = rep.data["rounds"]
    rows = []
    for n in sizes:
        col = lambda f: [f(x[n]) for x in R]
        rows.append([f"{n:,}", f"{inputs[n][2] / 2**20:.1f} / {inputs[n][3] / 2**20:.1f}",
                     spread(col(lambda x: x["cforg"]["wall"])),
                     spread(col(lambda x: x["baseline"]["wall"])),
                     spread(col(lambda x: x["cforg"]["wall"] / x["baseline"]["wall"]), "{:.2f}×"),
                     f"{med(col(lambda x: x['cforg']['rss_mib'])):.0f}",
                     f"{med(col(lambda x: x['baseline']['rss_mib'])):.0f}",
                     f"{med(col(lambda x: x['cforg']['rss_mib'] / x['baseline']['rss_mib'])):.2f}×",
                     f"{med(col(lambda x: x['cforg']['wall'])) / n * 1e6:.1f}"])
    rep.table(["orgs", "config / state MiB", "cforg plan s", "parse baseline s",
               "time ratio (paired)", "cforg peak RSS MiB", "baseline peak RSS MiB", "RSS ratio",
               "cforg µs per org"], rows)
    lo, hi = sizes[0], sizes[-1]
    growth = [x[hi]["cforg"]["wall"] / x[lo]["cforg"]["wall"] for x in R]
    bgrowth = [x[hi]["baseline"]["wall"] / x[lo]["baseline"]["wall"] for x in R]
    ratio_hi = med([x[hi]["cforg"]["wall"] / x[hi]["baseline"]["wall"] for x in R])
    rep.line(f"growth from {lo:,} to {hi:,} orgs ({hi // lo}× the orgs): cforg "
             f"{spread(growth, '{:.2f}×')}, baseline {spread(bgrowth, '{:.2f}×')} "
             f"(linear: {hi / lo:.0f}×; target: linear growth)")
    rep.line(f"time ratio at {hi:,}: {ratio_hi:.2f}× (target ≤ 1.3×: "
             f"{'met' if ratio_hi <= 1.3 else 'NOT met'})")
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 4. Refresh of a managed estate


def bench_refresh(a):
    n = 1000 if a.quick else 10000
    rounds = a.rounds or (2 if a.quick else 5)
    rep = Report("refresh", a.out, {"orgs": n, "rounds": rounds})
    header(rep, f"4. Refresh of {n:,} managed orgs: requests and time of `cforg plan`")
    work = os.path.join(a.work, "refresh")
    d = fresh_dir(os.path.join(work, "estate"))
    cfg = gen("config", n, os.path.join(work, f"estate-{n}.yaml"))
    st = os.path.join(d, "cforg.state.json")
    with Emulator(a.build) as emu:
        env = emu.env()
        wall, _, _ = run(cforg_cmd(a, "apply", "-c", cfg, "--state", st, "--auto-approve",
                                   "--rate-limit", "0", "--parallelism", "32"),
                         env=env, out=os.path.join(d, "apply.out"))
        rep.data["setup_apply_s"] = wall
        if emu.stats()["organizations"] != n:
            raise SystemExit("the setup apply did not create every org")
        preload = os.path.join(a.build, "bench", "libno_accept_encoding.so")
        contenders = [
            ("refresh", ["--log-level", "info"], None),
            ("local", ["--refresh=false"], None),
            ("refresh_noae", [], preload),  # diagnostic: no Brotli answers from the emulator
        ]
        for r in range(rounds):
            res = {"loadavg": loadavg()}
            for name, extra, pre in rotated(contenders, r):
                s0 = emu.stats()
                c0 = emu.cpu_seconds()
                wall, rc, _ = run(cforg_cmd(a, "plan", "-c", cfg, "--state", st,
                                            "--detailed-exitcode", *extra),
                                  env=env, out=os.path.join(d, name + ".out"),
                                  err=os.path.join(d, name + ".err"), check=False, preload=pre)
                if rc != 0:
                    raise SystemExit(f"plan ({name}) exited {rc}: the estate is not converged")
                s1 = emu.stats()
                res[name] = {"wall": wall, "requests": delta(s0, s1),
                              "emulator_cpu": emu.cpu_seconds() - c0}
            with open(os.path.join(d, "refresh.err")) as f:
                m = re.search(r"read (\d+) organizations with (\d+) requests", f.read())
            res["refresh"]["logged"] = m.group(0) if m else None
            rep.data["rounds"].append(res)
            print(f"  round {r}: refresh {res['refresh']['wall']:.3f}s "
                  f"{res['refresh']['requests']}, local {res['local']['wall']:.3f}s, "
                  f"refresh without Accept-Encoding {res['refresh_noae']['wall']:.3f}s",
                  file=sys.stderr, flush=True)

    R = rep.data["rounds"]
    reqs = R[-1]["refresh"]["requests"]
    target = -(-n // 100)
    rep.table(["what", "value"], [
        ["setup: `cforg apply` of the estate (--parallelism 32 --rate-limit 0), once",
         f"{rep.data['setup_apply_s']:.1f} s"],
        ["API requests of `cforg plan` (emulator requests_total delta)",
         f"{reqs['total']} ({json.dumps({k: v for k, v in reqs.items() if k != 'total'})})"],
        ["cforg's own count (`--log-level info`)", R[-1]["refresh"]["logged"]],
        ["target (ids read 100 per request)", f"{target}: "
         f"{'met' if reqs['total'] <= target else 'NOT met'}"],
        ["`cforg plan` (refresh) wall s", spread([x["refresh"]["wall"] for x in R])],
        ["`cforg plan --refresh=false` wall s", spread([x["local"]["wall"] for x in R])],
        ["ratio refresh / --refresh=false (paired)",
         spread([x["refresh"]["wall"] / x["local"]["wall"] for x in R], "{:.2f}×")],
        ["emulator CPU s during one refresh plan",
         spread([x["refresh"]["emulator_cpu"] for x in R], "{:.2f}")],
        ["diagnostic: refresh without Accept-Encoding (LD_PRELOAD shim), wall s",
         spread([x["refresh_noae"]["wall"] for x in R])],
        ["its ratio to --refresh=false (paired)",
         spread([x["refresh_noae"]["wall"] / x["local"]["wall"] for x in R], "{:.2f}×")],
        ["emulator CPU s during it", spread([x["refresh_noae"]["emulator_cpu"] for x in R],
                                            "{:.2f}")],
    ])
    rep.save()


# ---------------------------------------------------------------------------------------------
# 5. Post-create consistency window


def apply_once(a, emu, cfg, d, name, *extra, check=True, env=None):
    """A fresh-state `cforg apply` on emu: (wall, requests delta, stats after, stdout text).
    `env`: variables added to the emulator's."""
    fresh_dir(d)
    st = os.path.join(d, "cforg.state.json")
    s0 = emu.stats()
    out, err = os.path.join(d, name + ".out"), os.path.join(d, name + ".err")
    wall, rc, use = run(cforg_cmd(a, "apply", "-c", cfg, "--state", st, "--auto-approve",
                                  *extra), env={**emu.env(), **(env or {})}, out=out, err=err,
                        check=check)
    s1 = emu.stats()
    with open(out) as f:
        text = f.read()
    return {"wall": wall, "rc": rc, "requests": delta(s0, s1), "stats": s1, "out": text[-400:],
            "cpu": use.ru_utime + use.ru_stime, "state": st}


def bench_consistency(a):
    n, window_ms, par = 100, 2000, 16
    rounds = a.rounds or (2 if a.quick else 3)
    levels = 4
    rep = Report("consistency", a.out, {"orgs": n, "levels": levels, "consistency_ms": window_ms,
                                        "parallelism": par, "rounds": rounds})
    header(rep, f"5. Post-create 403 window: a {n}-org tree of {levels} levels, emulator "
                f"--consistency-ms {window_ms} vs 0, --parallelism {par}")
    work = os.path.join(a.work, "consistency")
    os.makedirs(work, exist_ok=True)
    cfg = gen("config-deep", n, os.path.join(work, f"deep-{n}.yaml"))
    net = ["--parallelism", str(par), "--rate-limit", "0"]
    contenders = [("window", window_ms), ("nowindow", 0)]
    for r in range(rounds):
        res = {"loadavg": loadavg()}
        for name, ms in rotated(contenders, r):
            with Emulator(a.build, "--consistency-ms", str(ms)) as emu:
                x = apply_once(a, emu, cfg, os.path.join(work, name), name, *net)
                if x["stats"]["organizations"] != n:
                    raise SystemExit(f"{name}: {x['stats']['organizations']} orgs, not {n}")
                res[name] = {"wall": x["wall"], "requests": x["requests"],
                             "post_create_403": x["stats"]["post_create_403"],
                             "post_create_403_by_method": x["stats"].get(
                                 "post_create_403_by_method"), "cpu": x["cpu"]}
        w, z = res["window"]["wall"], res["nowindow"]["wall"]
        res["bound"] = 1.25 * ((levels - 1) * window_ms / 1000 + z)
        res["floor"] = (levels - 1) * window_ms / 1000 + z
        rep.data["rounds"].append(res)
        print(f"  round {r}: window {w:.3f}s ({res['window']['post_create_403']} 403s), "
              f"no window {z:.3f}s, bound {res['bound']:.3f}s", file=sys.stderr, flush=True)
    R = rep.data["rounds"]
    col = lambda f: [f(x) for x in R]
    rows = []
    for i, x in enumerate(R):
        ok = x["window"]["wall"] <= x["bound"]
        rows.append([i, f"{x['window']['wall']:.3f}", f"{x['nowindow']['wall']:.3f}",
                     f"{x['floor']:.3f}", f"{x['bound']:.3f}",
                     f"{x['window']['wall'] / x['floor']:.3f}×",
                     x["window"]["post_create_403"], json.dumps(x["window"]["requests"]),
                     json.dumps(x["nowindow"]["requests"]), "met" if ok else "NOT met"])
    rep.table(["round", "apply, window 2 s: wall s", "apply, window 0: wall s",
               "3 × 2 s + window-0 wall", "target 1.25 × that", "ratio to 3 × 2 s + window-0",
               "post-create 403s", "requests (window)", "requests (window 0)", "target"], rows)
    ratio = col(lambda x: x["window"]["wall"] / x["floor"])
    met = all(x["window"]["wall"] <= x["bound"] for x in R)
    rep.line(f"ratio wall / (3 × 2 s + window-0 wall), paired per round: "
             f"{spread(ratio, '{:.3f}×')} (target ≤ 1.25×: {'met' if met else 'NOT met'} in "
             f"{sum(x['window']['wall'] <= x['bound'] for x in R)} of {len(R)} rounds)")
    rep.line("Terraform, for comparison: its provider sleeps 30 s after every create. 100 creates "
             "at its default parallelism 10 sleep at least 100 / 10 × 30 s = 300 s if the walk "
             "kept 10 creates busy all the time; level by level (1, 9, 18, 72 orgs: a level "
             "starts when its parents are done) it is (1 + 1 + 2 + 8) batches × 30 s = 360 s.")
    rep.line()
    rep.save()


def bench_young_window(a):
    """The post-create 403 window's cost in requests: the same tree, the window learnt from the
    run's first refusals (the default) and each young org probed on its own (the old way,
    CFORG_LEARN_403_WINDOW=0), against one emulator setting, paired per round."""
    n, window_ms, par = (100 if a.quick else 300), 1500, 16
    rounds = a.rounds or (2 if a.quick else 3)
    rep = Report("young-window", a.out, {"orgs": n, "levels": 3, "consistency_ms": window_ms,
                                         "parallelism": par, "rounds": rounds})
    header(rep, f"5b. Requests under the post-create 403 window: a {n}-org tree of 3 levels, "
                f"emulator --consistency-ms {window_ms}, --parallelism {par}; the window learnt "
                f"vs every young org probed on its own (CFORG_LEARN_403_WINDOW=0)")
    work = os.path.join(a.work, "young-window")
    os.makedirs(work, exist_ok=True)
    cfg = gen("config", n, os.path.join(work, f"tree-{n}.yaml"))
    net = ["--parallelism", str(par), "--rate-limit", "0"]
    contenders = [("learnt", {}), ("probed", {"CFORG_LEARN_403_WINDOW": "0"})]
    for r in range(rounds):
        res = {"loadavg": loadavg()}
        for name, extra in rotated(contenders, r):
            with Emulator(a.build, "--consistency-ms", str(window_ms)) as emu:
                x = apply_once(a, emu, cfg, os.path.join(work, name), name, *net, env=extra)
                if x["stats"]["organizations"] != n:
                    raise SystemExit(f"{name}: {x['stats']['organizations']} orgs, not {n}")
                mutations = sum(v for k, v in x["requests"].items() if k in ("POST", "PUT",
                                                                              "DELETE"))
                res[name] = {"wall": x["wall"], "requests": x["requests"],
                             "mutation_requests": mutations,
                             "post_create_403": x["stats"]["post_create_403"], "cpu": x["cpu"]}
        rep.data["rounds"].append(res)
        print(f"  round {r}: " + ", ".join(
            f"{c} {res[c]['wall']:.3f}s {res[c]['mutation_requests']} mutation requests "
            f"({res[c]['post_create_403']} refused)" for c, _ in contenders),
            file=sys.stderr, flush=True)
    R = rep.data["rounds"]
    rows = []
    for i, x in enumerate(R):
        for c, _ in contenders:
            y = x[c]
            rows.append([i, c, f"{y['wall']:.3f}", y["mutation_requests"], n,
                         f"{y['mutation_requests'] / n:.3f}×", y["post_create_403"],
                         json.dumps(y["requests"])])
    rep.table(["round", "client", "apply: wall s", "mutation requests", "creates",
               "requests / creates", "refused (403)", "all requests by method"], rows)
    ratio = lambda c: [x[c]["mutation_requests"] / n for x in R]
    wall = lambda c: [x[c]["wall"] for x in R]
    met = all(x["learnt"]["mutation_requests"] <= 1.05 * n for x in R)
    faster = sum(x["learnt"]["wall"] <= x["probed"]["wall"] for x in R)
    rep.line(f"requests / creates: learnt {spread(ratio('learnt'), '{:.3f}×')}, probed "
             f"{spread(ratio('probed'), '{:.3f}×')} (target ≤ 1.05×: "
             f"{'met' if met else 'NOT met'}); wall: learnt {spread(wall('learnt'))} s, probed "
             f"{spread(wall('probed'))} s (learnt no slower in {faster} of {len(R)} rounds)")
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 6. Requests per change


def plan_once(a, emu, cfg, st, name, d, *extra):
    s0 = emu.stats()
    c0 = emu.cpu_seconds()
    wall, rc, _ = run(cforg_cmd(a, "plan", "-c", cfg, "--state", st, "--detailed-exitcode",
                                "--log-level", "info", *extra),
                      env=emu.env(), out=os.path.join(d, name + ".out"),
                      err=os.path.join(d, name + ".err"), check=False)
    if rc != 0:
        with open(os.path.join(d, name + ".out")) as f:
            tail = f.read()[-1500:]
        raise SystemExit(f"plan ({name}) exited {rc}: the estate is not converged\n{tail}")
    return {"wall": wall, "requests": delta(s0, emu.stats()), "emulator_cpu": emu.cpu_seconds() - c0}


def bench_requests(a):
    n_create, n_read, par = 200, 10000, 16
    rounds = a.rounds or (2 if a.quick else 3)
    rep = Report("requests", a.out, {"create_orgs": n_create, "read_orgs": n_read,
                                     "parallelism": par, "rounds": rounds})
    header(rep, f"6. Requests per change: {n_create} creates (flat and tree), and reading "
                f"{n_read:,} orgs with --read-profile include / omit")
    work = os.path.join(a.work, "requests")
    os.makedirs(work, exist_ok=True)
    net = ["--parallelism", str(par), "--rate-limit", "0"]
    shapes = [("flat", gen("config-flat", n_create, os.path.join(work, f"flat-{n_create}.yaml"))),
              ("tree", gen("config", n_create, os.path.join(work, f"tree-{n_create}.yaml")))]
    rep.data["create"] = []
    for r in range(rounds):
        res = {}
        for name, cfg in rotated(shapes, r):
            with Emulator(a.build, "--consistency-ms", "0") as emu:
                x = apply_once(a, emu, cfg, os.path.join(work, "create-" + name), name, *net)
                res[name] = {"wall": x["wall"], "requests": x["requests"]}
        rep.data["create"].append(res)
        print(f"  create round {r}: " + ", ".join(f"{k} {v['requests']}" for k, v in res.items()),
              file=sys.stderr, flush=True)
    rows = []
    for name, _ in shapes:
        reqs = [x[name]["requests"] for x in rep.data["create"]]
        posts = [q.get("POST", 0) for q in reqs]
        gets = [q.get("GET", 0) for q in reqs]
        rows.append([f"create {n_create} ({name})", json.dumps(reqs[-1]),
                     f"{med(posts):.0f} ({min(posts)}..{max(posts)})",
                     f"{med(gets):.0f} ({min(gets)}..{max(gets)})",
                     f"{med([q['total'] for q in reqs]) / n_create:.3f}",
                     spread([x[name]["wall"] for x in rep.data["create"]]),
                     "met" if all(p == n_create for p in posts) else "NOT met"])
    rep.table(["change", "requests (last round)", "POSTs", "GETs", "requests per org",
               "wall s", f"POSTs = {n_create}?"], rows)

    # Reading a 10,000-org estate: one emulator per read profile, each set up by an apply.
    cfg = gen("config", n_read, os.path.join(work, f"estate-{n_read}.yaml"))
    emus = {}
    try:
        setup = {}
        for prof in ("include", "omit"):
            emu = Emulator(a.build, "--consistency-ms", "0", "--read-profile", prof)
            emus[prof] = emu
            d = os.path.join(work, "read-" + prof)
            x = apply_once(a, emu, cfg, d, "setup", "--parallelism", "32", "--rate-limit", "0")
            if x["stats"]["organizations"] != n_read:
                raise SystemExit(f"setup ({prof}) made {x['stats']['organizations']} orgs")
            setup[prof] = {"wall": x["wall"], "requests": x["requests"], "state": x["state"],
                           "dir": d}
        rep.data["setup"] = {k: {"wall": v["wall"], "requests": v["requests"]}
                             for k, v in setup.items()}
        contenders = [("include", []), ("omit", []), ("omit_local", ["--refresh=false"])]
        for r in range(rounds):
            res = {"loadavg": loadavg()}
            for name, extra in rotated(contenders, r):
                prof = name.split("_")[0]
                s = setup[prof]
                res[name] = plan_once(a, emus[prof], cfg, s["state"], name, s["dir"], *net,
                                      *extra)
            rep.data["rounds"].append(res)
            print(f"  read round {r}: " + ", ".join(f"{k} {v['wall']:.3f}s {v['requests']}"
                                                   for k, v in res.items() if isinstance(v, dict)),
                  file=sys.stderr, flush=True)
    finally:
        for e in emus.values():
            e.stop()
    R = rep.data["rounds"]
    profiles = sum(1 for line in open(cfg) if line.strip() == "profile:")
    rows = []
    for name, desc in [("include", "`cforg plan`, emulator `--read-profile include`"),
                       ("omit", "`cforg plan`, emulator `--read-profile omit` (default)"),
                       ("omit_local", "`cforg plan --refresh=false` (no network, for scale)")]:
        reqs = [x[name]["requests"] for x in R]
        rows.append([desc, json.dumps(reqs[-1]),
                     f"{med([q.get('GET', 0) for q in reqs]):.0f}",
                     spread([x[name]["wall"] for x in R]),
                     spread([x[name]["wall"] / x["omit_local"]["wall"] for x in R], "{:.2f}×"),
                     spread([x[name]["emulator_cpu"] for x in R], "{:.2f}")])
    rep.table(["read of 10,000 orgs", "requests (last round)", "GETs", "wall s",
               "/ --refresh=false (paired)", "emulator CPU s"], rows)
    inc = med([x["include"]["requests"].get("GET", 0) for x in R])
    omit = med([x["omit"]["requests"].get("GET", 0) for x in R])
    rep.line(f"orgs whose config manages a profile: {profiles}; include: {inc:.0f} GETs (target "
             f"100: {'met' if inc <= 100 else 'NOT met'}); omit: {omit:.0f} GETs = "
             f"{omit - inc:.0f} more than include (expected {profiles}: one GET .../profile per "
             f"org with a managed profile), paired extra time "
             f"{spread([x['omit']['wall'] - x['include']['wall'] for x in R])} s")
    rep.line(f"at Cloudflare's 1200 requests per 300 s (4/s) the include read's {inc:.0f} GETs "
             f"take {inc / 4:.0f} s of budget, omit's {omit:.0f} take {omit / 4:.0f} s "
             f"({omit / 4 / 60:.0f} min)")
    rep.line(f"setup applies (once per emulator): " + "; ".join(
        f"{k} {v['wall']:.1f} s {json.dumps(v['requests'])}" for k, v in rep.data['setup'].items()))
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 7. A rate budget shared with another client


class Spender:
    """A thread that spends `count` requests of the token's budget every `every` seconds through
    /__emulator/spend, recording when each spend was answered (perf_counter)."""

    def __init__(self, emu, count, every, times=None):
        import threading
        self.emu, self.count, self.every, self.times = emu, count, every, times
        self.events = []
        self.samples = []  # (time, stats) right after each spend: when the 429s happened
        self.stop_ev = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def spend(self):
        req = urllib.request.Request(f"{self.emu.root}/__emulator/spend?count={self.count}",
                                     data=b"", method="POST",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req) as r:
            body = json.load(r)
        self.events.append((time.perf_counter(), self.count, body.get("rate_limit")))

    def loop(self):
        nxt = time.perf_counter()
        while not self.stop_ev.is_set():
            if self.times is not None and len(self.events) >= self.times:
                return
            self.spend()
            self.samples.append((time.perf_counter(), self.emu.stats()))
            nxt += self.every
            self.stop_ev.wait(max(0.0, nxt - time.perf_counter()))

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_ev.set()
        self.thread.join()


def greedy_finish(events, start, n_requests, limit, window):
    """The earliest time (after start) at which a client could have sent its n_requests-th
    request without ever exceeding `limit` in any sliding window of `window` seconds, given the
    other client's spends (time, count): every request goes at the first instant the window,
    the other's spends and this client's earlier requests counted, has room."""
    mine = []
    t = start
    for _ in range(n_requests):
        while True:
            lo = t - window
            used = sum(c for (s, c, _) in events if lo < s <= t) + sum(1 for m in mine if m > lo)
            if used < limit:
                break
            # the next instant something leaves the window
            leaving = [s + window for (s, c, _) in events if lo < s <= t] + \
                      [m + window for m in mine if m > lo]
            t = min(x for x in leaving if x > t) + 1e-6
        mine.append(t)
    return t - start


def bench_shared_budget(a):
    n, limit, window, par = 100, 120, 10.0, 16
    spend, every = 6, 1.0
    warm = window  # the other client runs one whole window before the apply starts
    rounds = a.rounds or (2 if a.quick else 3)
    rep = Report("shared-budget", a.out, {
        "orgs": n, "rate_limit": f"{limit}/{window:g}", "parallelism": par,
        "other_client": f"{spend} every {every:g} s through /__emulator/spend, same token, "
                        f"from {warm:g} s before the apply to its end", "rounds": rounds})
    header(rep, f"7. Shared budget: {n} creates at --rate-limit {limit}/{window:g} while another "
                f"client spends {spend} per {every:g} s of the same token's budget")
    work = os.path.join(a.work, "shared-budget")
    os.makedirs(work, exist_ok=True)
    cfg = gen("config", n, os.path.join(work, f"estate-{n}.yaml"))
    flags = ["--consistency-ms", "0", "--rate-limit", f"{limit}/{window:g}"]
    burst, burst_lead = limit // 2, window / 2
    for r in range(rounds):
        res = {"loadavg": loadavg()}
        order = rotated(["shared", "burst", "alone_unlimited"], r)
        for name in order:
            if name == "alone_unlimited":
                # the same apply with no limit anywhere: what the run costs besides waiting
                with Emulator(a.build, "--consistency-ms", "0") as emu:
                    x = apply_once(a, emu, cfg, os.path.join(work, name), name,
                                   "--parallelism", str(par), "--rate-limit", "0")
                res[name] = {"wall": x["wall"], "requests": x["requests"]}
                continue
            with Emulator(a.build, *flags) as emu:
                # "burst": the other client spent half the budget at once, half a window before
                # the apply, and then stopped; "shared": it keeps spending at a steady pace.
                if name == "burst":
                    sp = Spender(emu, burst, every, times=1)
                else:
                    sp = Spender(emu, spend, every)
                sp.start()
                time.sleep(burst_lead if name == "burst" else warm)
                start = time.perf_counter()
                x = apply_once(a, emu, cfg, os.path.join(work, name), name, "--parallelism",
                               str(par), "--rate-limit", f"{limit}/{window:g}", check=False)
                sp.stop()
                st = x["stats"]
                sent = x["requests"]["total"]
                in_run = sum(c for (s, c, _) in sp.events if start <= s <= start + x["wall"])
                first429 = next(((t - start, q["requests_total"]) for t, q in sp.samples
                                 if q["rate_limited"] > 0), None)
                timeline = [(round(t - start, 2), q["requests_total"], q["rate_limited"])
                            for t, q in sp.samples if t >= start - 1]
                ideal_slots = greedy_finish(sp.events, start, sent, limit, window)
                res[name] = {"wall": x["wall"], "rc": x["rc"], "requests": x["requests"],
                             "rate_limited": st["rate_limited"],
                             "rate_limited_blocked": st["rate_limited_blocked"],
                             "spent_total": st["spent"], "spent_during_run": in_run,
                             "ideal_slots": ideal_slots, "orgs": st["organizations"],
                             "first_429_seen": first429, "timeline": timeline,
                             "out": x["out"]}
        res["ideal"] = res["shared"]["ideal_slots"] + res["alone_unlimited"]["wall"]
        res["ratio"] = res["shared"]["wall"] / res["ideal"]
        res["burst_ideal"] = res["burst"]["ideal_slots"] + res["alone_unlimited"]["wall"]
        res["burst_ratio"] = res["burst"]["wall"] / res["burst_ideal"]
        rep.data["rounds"].append(res)
        s = res["shared"]
        print(f"  round {r}: wall {s['wall']:.3f}s, ideal {res['ideal']:.3f}s, "
              f"{s['rate_limited']} 429s, {s['requests']}, other spent {s['spent_during_run']} "
              f"during the run, rc {s['rc']}", file=sys.stderr, flush=True)
    R = rep.data["rounds"]
    rows = []
    for i, x in enumerate(R):
        s = x["shared"]
        ok = s["rate_limited"] == 0 and x["ratio"] <= 1.15 and s["rc"] == 0 and s["orgs"] == n
        rows.append([i, f"{s['wall']:.3f}", json.dumps(s["requests"]), s["spent_during_run"],
                     f"{s['ideal_slots']:.3f}", f"{x['alone_unlimited']['wall']:.3f}",
                     f"{x['ideal']:.3f}", f"{x['ratio']:.3f}×", s["rate_limited"],
                     "met" if ok else "NOT met"])
    rep.table(["round", "cforg apply wall s", "requests cforg sent", "other client's spends "
               "during the run", "ideal: last budget slot s", "unlimited apply wall s",
               "ideal s (slot + unlimited)", "wall / ideal", "429s", "target (0 429s, ≤ 1.15×)"],
              rows)
    rep.line()
    rep.line(f"The other client spent {burst} at once {burst_lead:g} s before the apply, then "
             f"stopped (no target: what waiting for cforg's own slots costs when the other "
             f"client's slots would have been free):")
    rep.line()
    rep.table(["round", "cforg apply wall s", "requests cforg sent", "ideal s", "wall / ideal",
               "429s"],
              [[i, f"{x['burst']['wall']:.3f}", json.dumps(x["burst"]["requests"]),
                f"{x['burst_ideal']:.3f}", f"{x['burst_ratio']:.3f}×",
                x["burst"]["rate_limited"]] for i, x in enumerate(R)])
    rep.line()
    rep.line(f"wall / ideal: {spread([x['ratio'] for x in R], '{:.3f}×')}; 429s: "
             f"{[x['shared']['rate_limited'] for x in R]}; first 429 seen by the other client "
             f"(s after the apply started, API requests by then): "
             f"{[x['shared']['first_429_seen'] for x in R]}")
    rep.line("timeline of the last round (s after the apply started, API requests so far, 429s "
             "so far), sampled after each spend: " +
             ", ".join(f"{t}/{q}/{z}" for t, q, z in R[-1]["shared"]["timeline"]))
    rep.line()
    rep.save()


# ---------------------------------------------------------------------------------------------
# 10. What lives inside organizations: members and accounts (issue 20)


def route_of(path):
    """The route of an API path, its ids left out: `organizations/*/members` and so on."""
    p = path.split("/client/v4/", 1)[-1]
    parts = p.split("/")
    if parts[0] == "organizations":
        if len(parts) == 1:
            return "organizations"
        if len(parts) == 2:
            return ("organizations/*:batchCreate" if parts[1].endswith(":batchCreate")
                    else "organizations/*")
        tail = "/".join(parts[2:])
        return "organizations/*/" + ("members/*" if tail.startswith("members/") else tail)
    if parts[0] == "accounts" and len(parts) == 3:
        return "accounts/*/" + parts[2]
    return p


def requests_by_route(lines):
    """{"METHOD route STATUS": count} from the emulator's `-v` lines."""
    out = {}
    for line in lines:
        m = re.match(r"(\S+) (\S+) -> (\d+) ", line)
        if m:
            k = f"{m.group(1)} {route_of(m.group(2))} {m.group(3)}"
            out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


def count_routes(by_route, method=None, route=None, status=None):
    n = 0
    for k, v in by_route.items():
        m, r, st = k.split(" ")
        if (method in (None, m)) and (route in (None, r)) and (status in (None, st)):
            n += v
    return n


def write_contents_config(path, n_orgs, members=None, accounts=None):
    """n_orgs roots `Contents i` (key c<i>), no profile. `members`: per org, a list of emails
    (None: no `members:` key); `accounts`: per org, a list of account ids (None: no key)."""
    out = [f"# {n_orgs} roots generated by bench/bench.py (contents benchmarks)\n",
           "organizations:\n"]
    for i in range(n_orgs):
        out.append(f"  - name: Contents {i}\n    key: c{i}\n")
        if members is not None:
            out.append("    members:\n" if members[i] else "    members: []\n")
            out.extend(f"      - {e}\n" for e in members[i])
        if accounts is not None:
            out.append("    accounts:\n" if accounts[i] else "    accounts: []\n")
            out.extend(f"      - {x}\n" for x in accounts[i])
    with open(path, "w") as f:
        f.writelines(out)
    return path


def seeded_accounts(emu):
    with urllib.request.urlopen(emu.root + "/__emulator/accounts") as r:
        return [x["id"] for x in json.load(r)["accounts"]]


def members_on_emulator(emu, state_path):
    """Members the emulator holds in the orgs of a cforg state, read with the API (one page of
    up to 1000 per org: the benchmark's orgs hold fewer)."""
    with open(state_path) as f:
        ids = [o["id"] for o in json.load(f)["organizations"].values()]
    n = 0
    for org in ids:
        req = urllib.request.Request(f"{emu.url}/organizations/{org}/members?page_size=1000",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req) as r:
            n += len(json.load(r)["result"])
    return n


def bench_contents_apply(a):
    """2,000 member creates and 500 account moves into 20 existing orgs at 50 ms latency under
    a rate budget, against what the budget allows for those mutations."""
    n_orgs, n_members, n_accounts = (10, 200, 50) if a.quick else (20, 2000, 500)
    latency, par, limit, window = 50, 16, 100, 1.0
    rounds = a.rounds or (2 if a.quick else 3)
    mutations = n_members + n_accounts
    allowed = mutations / (limit / window)
    rep = Report("contents-apply", a.out, {
        "orgs": n_orgs, "members": n_members, "accounts": n_accounts, "latency_ms": latency,
        "parallelism": par, "rate_limit": f"{limit}/{window:g}", "rounds": rounds,
        "budget_allows_s": allowed})
    header(rep, f"10a. Contents apply: {n_members:,} member creates and {n_accounts} account "
                f"moves into {n_orgs} existing orgs, emulator --latency-ms {latency}, "
                f"--rate-limit {limit}/{window:g} (and {limit * 10}/{window * 10:g}) on both "
                f"sides, --parallelism {par}")
    work = os.path.join(a.work, "contents-apply")
    os.makedirs(work, exist_ok=True)
    bare = write_contents_config(os.path.join(work, f"orgs-{n_orgs}.yaml"), n_orgs)
    per = n_members // n_orgs
    emails = [[f"user{j}@c{i}.example" for j in range(per)] for i in range(n_orgs)]
    budget = f"{limit}/{window:g}"
    # (name, emulator flags, cforg's --rate-limit): the same apply with the budget, and
    # without any (what the run costs besides waiting for the budget: latency × parallelism).
    # The same ratio over a 10 times longer window: latency and whole-second `t` readings
    # weigh a tenth as much against it (Cloudflare's is 300 s).
    budget10 = f"{limit * 10}/{window * 10:g}"
    # And the 1000/10 apply against a server with members:batchCreate (the contract leaves
    # open whether it exists): up to 100 member creates a request.
    batch = ["--members-batch-create", "present"]
    # And the 1000/10 apply with --account-sources=false: the plan does not look up where
    # each account sits now (one containing.account list request each), the moves alone.
    nosources = ["--account-sources=false"]
    contenders = [("budget", ["--rate-limit", budget], budget, []),
                  ("budget10", ["--rate-limit", budget10], budget10, []),
                  ("budget10_batch", ["--rate-limit", budget10, *batch], budget10, []),
                  ("budget10_nosources", ["--rate-limit", budget10], budget10, nosources),
                  ("unlimited", [], "0", [])]
    budgeted = [("budget", budget, limit, window),
                ("budget10", budget10, limit * 10, window * 10),
                ("budget10_batch", budget10 + " batchCreate", limit * 10, window * 10),
                ("budget10_nosources", budget10 + " --account-sources=false", limit * 10,
                 window * 10)]
    for r in range(rounds):
        res = {"loadavg": loadavg()}
        for name, flags, cflag, extra in rotated(contenders, r):
            d = fresh_dir(os.path.join(work, name))
            log = os.path.join(d, "emulator.log")
            with Emulator(a.build, "-v", "--latency-ms", str(latency), "--accounts",
                          str(n_accounts), *flags, log=log) as emu:
                ids = seeded_accounts(emu)
                accts = [ids[i::n_orgs] for i in range(n_orgs)]
                cfg = write_contents_config(os.path.join(d, "contents.yaml"), n_orgs, emails,
                                            accts)
                st = os.path.join(d, "cforg.state.json")
                net = ["--parallelism", str(par), "--rate-limit", cflag]
                # Not timed: the orgs, then a pause longer than the post-create window (1 s)
                # and the rate window, so the timed apply starts on old orgs and a full budget.
                run(cforg_cmd(a, "apply", "-c", bare, "--state", st, "--auto-approve", *net),
                    env=emu.env(), out=os.path.join(d, "setup.out"), timeout=300)
                time.sleep(max(1.5, float(cflag.split("/")[1]) + 0.5) if "/" in cflag else 1.5)
                s0, n0 = emu.stats(), len(emu.log_lines())
                out = os.path.join(d, "apply.out")
                wall, rc, use = run(cforg_cmd(a, "apply", "-c", cfg, "--state", st,
                                              "--auto-approve", *net, *extra),
                                    env=emu.env(), out=out, err=os.path.join(d, "apply.err"),
                                    timeout=600)
                s1 = emu.stats()
                routes = requests_by_route(emu.log_lines()[n0:])
                with open(out) as f:
                    text = f.read()
                m = re.search(r"; (\d+) requests sent\.", text)
                c = re.search(r"Apply complete: .* in ([0-9.]+) s\.", text)
                moved = sum(1 for x in json.load(urllib.request.urlopen(
                    emu.root + "/__emulator/accounts"))["accounts"] if x["organization_id"])
                mem = members_on_emulator(emu, st)
                if moved != n_accounts or mem != n_members:
                    raise SystemExit(f"{name}: {mem} members created, {moved} accounts moved")
                res[name] = {
                    "wall": wall, "phase": float(c.group(1)) if c else None,
                    "requests": delta(s0, s1), "requests_sent_logged": int(m.group(1)) if m
                    else None, "by_route": routes,
                    "mutation_requests": count_routes(routes, "POST"),
                    "rate_limited": s1["rate_limited"] - s0["rate_limited"],
                    "post_create_403": s1["post_create_403"] - s0["post_create_403"],
                    "max_in_flight": s1["max_in_flight"], "cpu": use.ru_utime + use.ru_stime}
        rep.data["rounds"].append(res)
        print(f"  round {r}: " + ", ".join(
            f"{bf} {res[bn]['wall']:.3f}s ({res[bn]['wall'] / allowed:.3f}× the {allowed:g} s "
            f"allowed) {res[bn]['requests']} {res[bn]['rate_limited']} 429s"
            for bn, bf, _, _ in budgeted) + f"; unlimited {res['unlimited']['wall']:.3f}s",
            file=sys.stderr, flush=True)

    R = rep.data["rounds"]
    rows = []
    for i, x in enumerate(R):
        for bname, bflag, lim, win in budgeted:
            b, u = x[bname], x["unlimited"]
            sent = b["requests"]["total"]
            # The earliest the last answer can come with a full budget at the start: the k-th
            # request (from 0) goes at ⌊k / limit⌋ windows, its answer one latency later.
            floor = (sent - 1) // lim * win + latency / 1000
            b["floor_s"] = floor
            rows.append([i, bflag, f"{b['wall']:.3f}", f"{b['phase']:.3f}" if b["phase"] else "",
                         sent, b["requests_sent_logged"], f"{sent / mutations:.3f}",
                         f"{sent / (lim / win):.2f}", f"{b['wall'] / allowed:.3f}×",
                         f"{b['wall'] / (sent / (lim / win)):.3f}×", f"{floor:.2f}",
                         f"{b['wall'] / floor:.3f}×", b["rate_limited"], b["post_create_403"],
                         f"{u['wall']:.3f}",
                         "met" if b["wall"] <= 1.1 * allowed and b["rate_limited"] == 0
                         else "NOT met"])
    rep.table(["round", "--rate-limit", "apply wall s", "create/move phase s",
               "requests (emulator)", "requests (apply's summary)", "requests / mutation",
               "those at the budget's pace s", f"wall / {allowed:g} s allowed",
               "wall / requests' pace", "floor for those requests s", "wall / floor", "429s",
               "post-create 403s", "same apply, no budget: wall s", "target (≤ 1.1×, 0 429s)"],
              rows)
    last = R[-1]["budget"]["by_route"]
    rep.line("requests of the last round's budgeted apply, by method, route and status "
             "(emulator `-v`): " + json.dumps(last))
    rep.line(f"mutations: {mutations} ({n_members} member creates + {n_accounts} moves); the "
             f"budget allows them in {mutations} / {limit / window:g} per s = {allowed:g} s")
    reads = {k: v for k, v in last.items() if k.startswith("GET")}
    rep.line(f"reads before the first mutation (the plan's refresh): {sum(reads.values())} "
             f"= {json.dumps(reads)}")
    for bname, bflag, _, _ in budgeted:
        ratio = [x[bname]["wall"] / allowed for x in R]
        rep.line(f"{bflag}: wall / allowed {spread(ratio, '{:.3f}×')}, wall / floor "
                 f"{spread([x[bname]['wall'] / x[bname]['floor_s'] for x in R], '{:.3f}×')}; "
                 f"429s: {[x[bname]['rate_limited'] for x in R]}")
    rep.line(f"no budget (latency × parallelism only), paired: "
             f"{spread([x['unlimited']['wall'] for x in R])} s")
    rep.line()
    rep.save()


def bench_contents_refresh(a):
    """`cforg plan` of 1,000 orgs with 20 members each: the member lists' requests, at the
    emulator's default page sizes and with a page cap of 10 (clamped, and refused)."""
    n, per = (100, 20) if a.quick else (1000, 20)
    rounds = a.rounds or (2 if a.quick else 3)
    par = 16
    rep = Report("contents-refresh", a.out, {"orgs": n, "members_per_org": per,
                                             "parallelism": par, "rounds": rounds})
    header(rep, f"10b. Refresh of {n:,} orgs with {per} members each: member list requests "
                f"of `cforg plan`, emulator page cap 1000 (default) and 10")
    work = os.path.join(a.work, "contents-refresh")
    os.makedirs(work, exist_ok=True)
    emails = [[f"user{j}@c{i}.example" for j in range(per)] for i in range(n)]
    with_m = write_contents_config(os.path.join(work, f"members-{n}x{per}.yaml"), n, emails)
    without = write_contents_config(os.path.join(work, f"orgs-{n}.yaml"), n)
    # (name, page cap, emulator flags)
    profiles = [("cap1000", 1000, []),
                ("cap10_clamp", 10, ["--max-page-size", "10", "--page-size-over-max", "clamp"]),
                ("cap10_reject", 10, ["--max-page-size", "10"])]
    net = ["--parallelism", str(par), "--rate-limit", "0"]
    emus, setup = {}, {}
    try:
        for name, _, flags in profiles:
            d = fresh_dir(os.path.join(work, name))
            # The setup's apply sends one POST per org and per member (apply does not use
            # members:batchCreate), not timed.
            emu = Emulator(a.build, "-v", "--consistency-ms", "0", *flags,
                           log=os.path.join(d, "emulator.log"))
            emus[name] = emu
            st = os.path.join(d, "cforg.state.json")
            s0 = emu.stats()
            wall, _, _ = run(cforg_cmd(a, "apply", "-c", with_m, "--state", st,
                                       "--auto-approve", "--parallelism", "32", "--rate-limit",
                                       "0"), env=emu.env(), out=os.path.join(d, "setup.out"),
                             timeout=600)
            setup[name] = {"wall": wall, "requests": delta(s0, emu.stats()), "state": st,
                           "dir": d}
            if emu.stats()["organizations"] != n:
                raise SystemExit(f"setup ({name}) made {emu.stats()['organizations']} orgs")
        rep.data["setup"] = {k: {"wall": v["wall"], "requests": v["requests"]}
                             for k, v in setup.items()}
        contenders = [(p[0], "members", with_m) for p in profiles] + \
                     [(p[0], "orgs", without) for p in profiles]
        for r in range(rounds):
            res = {"loadavg": loadavg()}
            for prof, kind, cfg in rotated(contenders, r):
                emu, s = emus[prof], setup[prof]
                n0 = len(emu.log_lines())
                x = plan_once(a, emu, cfg, s["state"], f"{prof}-{kind}", s["dir"], *net)
                x["by_route"] = requests_by_route(emu.log_lines()[n0:])
                res.setdefault(prof, {})[kind] = x
            rep.data["rounds"].append(res)
            print(f"  round {r}: " + ", ".join(
                f"{p} {res[p]['members']['requests']['total']}-"
                f"{res[p]['orgs']['requests']['total']} requests "
                f"{res[p]['members']['wall']:.2f}/{res[p]['orgs']['wall']:.2f}s"
                for p, _, _ in profiles), file=sys.stderr, flush=True)
    finally:
        for e in emus.values():
            e.stop()
    R = rep.data["rounds"]
    rows = []
    for prof, cap, _ in profiles:
        tot_m = [x[prof]["members"]["requests"]["total"] for x in R]
        tot_o = [x[prof]["orgs"]["requests"]["total"] for x in R]
        diff = [m - o for m, o in zip(tot_m, tot_o)]
        routed = [count_routes(x[prof]["members"]["by_route"], "GET",
                               "organizations/*/members") for x in R]
        refused = [count_routes(x[prof]["members"]["by_route"], status="400") for x in R]
        ok200 = [count_routes(x[prof]["members"]["by_route"], "GET", "organizations/*/members",
                              "200") for x in R]
        page = min(cap, 1000)
        expect = -(-per // page)
        rows.append([f"--max-page-size {cap}" + (" --page-size-over-max clamp"
                                                 if "clamp" in prof else
                                                 (" (reject: 400 above it)" if cap < 1000
                                                  else " (default)")),
                     page, f"⌈{per}/{page}⌉ = {expect}",
                     f"{med(tot_m):.0f} ({min(tot_m)}..{max(tot_m)})",
                     f"{med(tot_o):.0f} ({min(tot_o)}..{max(tot_o)})",
                     f"{med(diff):.0f} ({min(diff)}..{max(diff)})",
                     f"{med(routed):.0f} ({min(routed)}..{max(routed)})",
                     f"{med(diff) / n:.3f}", f"{med(refused):.0f}",
                     spread([x[prof]["members"]["wall"] for x in R]),
                     spread([x[prof]["orgs"]["wall"] for x in R]),
                     spread([x[prof]["members"]["wall"] / x[prof]["orgs"]["wall"] for x in R],
                            "{:.2f}×"),
                     ("met" if med(ok200) <= expect * n else "NOT met") +
                     (f" (+{med(refused):.0f} refused, once per run)" if med(refused) else "")])
    rep.table(["emulator", "page served", "requests per org (formula)",
               "plan with `members:`: requests", "plan without: requests",
               "difference", "GET .../members (emulator -v)", "member requests per org",
               "400s (page size refused, all routes)", "plan with `members:` wall s", "without: wall s",
               "with / without (paired)", f"GET .../members 200s ≤ ⌈{per}/page⌉ per org"], rows)
    for prof, _, _ in profiles:
        rep.line(f"{prof}, last round, with `members:`: "
                 f"{json.dumps(R[-1][prof]['members']['by_route'])}; without: "
                 f"{json.dumps(R[-1][prof]['orgs']['by_route'])}")
    rep.line("setup applies (once per emulator, not timed): " + "; ".join(
        f"{k} {v['wall']:.1f} s {json.dumps(v['requests'])}" for k, v in rep.data["setup"].items()))
    rep.line()
    rep.save()



def bench_controller(a):
    """One controller cycle that finds nothing to change on a 10,000-org estate (requests, time,
    peak memory, against the budget share), beside `cforg plan` of the same estate; and the time
    from a pushed commit to its apply at --interval 30s."""
    import random
    n = 1000 if a.quick else 10000
    rounds = a.rounds or (2 if a.quick else 3)
    interval = 10 if a.quick else 30
    share, budget = 0.25, (1200, 300)
    rep = Report("controller", a.out, {"orgs": n, "rounds": rounds, "interval_s": interval,
                                       "budget": f"{budget[0]}/{budget[1]}",
                                       "budget_share": share})
    header(rep, f"11. Controller: a no-change cycle of {n:,} orgs, and commit-to-apply at "
                f"--interval {interval}s")
    work = fresh_dir(os.path.join(a.work, "controller"))
    src = fresh_dir(os.path.join(work, "source"))
    cfg = write_contents_config(os.path.join(src, "cforg.yaml"), n)
    st = os.path.join(work, "cforg.state.json")
    rows = []
    with Emulator(a.build, "--consistency-ms", "0") as emu:
        run(cforg_cmd(a, "apply", "-c", cfg, "--state", st, "--auto-approve", "--parallelism",
                      "32", "--rate-limit", "0"), env=emu.env(),
            out=os.path.join(work, "setup.out"), timeout=900)
        cmds = {
            "controller": cforg_cmd(a, "controller", "--source", src, "--state", st, "--once",
                                    "--mode", "report", "--log-level", "info",
                                    "--budget-share", str(share),
                                    "--rate-limit", f"{budget[0]}/{budget[1]}"),
            "plan": cforg_cmd(a, "plan", "-c", cfg, "--state", st, "--detailed-exitcode",
                              "--rate-limit", f"{budget[0]}/{budget[1]}"),
        }
        for r in range(rounds):
            res = {"loadavg": loadavg()}
            for name, cmd in rotated(list(cmds.items()), r):
                out = os.path.join(work, f"{name}.{r}.out")
                tv = out + ".time"
                s0 = emu.stats()
                wall, rc, _ = run(["/usr/bin/time", "-v", "-o", tv, *cmd], env=emu.env(), out=out,
                                  err=out + ".err", check=False, timeout=600)
                if rc != 0:
                    raise SystemExit(f"{name} exited {rc} (see {out}.err)")
                with open(tv) as f:
                    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                                        f.read()).group(1)) / 1024
                res[name] = {"wall": wall, "rss_mib": rss,
                             "requests": delta(s0, emu.stats())["total"]}
            rep.data["rounds"].append(res)
            c, p_ = res["controller"], res["plan"]
            allowed = budget[0] * share
            rows.append([r, f"{c['wall']:.3f}", f"{p_['wall']:.3f}",
                         f"{c['wall'] / p_['wall']:.3f}×", c["requests"], p_["requests"],
                         f"{c['requests'] / allowed:.3f}", f"{c['rss_mib']:.1f}",
                         f"{p_['rss_mib']:.1f}"])
            print(f"  round {r}: controller {c['wall']:.3f}s {c['requests']} requests "
                  f"{c['rss_mib']:.0f} MiB; plan {p_['wall']:.3f}s", file=sys.stderr, flush=True)
    rep.table(["round", "controller cycle wall s (process)", "plan wall s", "controller / plan",
               "controller requests", "plan requests",
               f"of the refresh share ({int(budget[0] * share)} per {budget[1]} s)",
               "controller peak RSS MiB", "plan peak RSS MiB"], rows)

    # Commit to apply: a controller in apply mode on a git repository; each round pushes a
    # commit at a random point of the interval and waits for the new org at the emulator.
    bare, clone = os.path.join(work, "estate.git"), os.path.join(work, "clone")
    g = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-C", clone]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", bare], check=True)
    subprocess.run(["git", "clone", "-q", bare, clone], check=True, stderr=subprocess.DEVNULL)
    keys = ["first"]
    def push():
        with open(os.path.join(clone, "cforg.yaml"), "w") as f:
            f.write("organizations:\n" + "".join(f"  - {{key: {k}, name: Org {k}}}\n"
                                                 for k in keys))
        subprocess.run([*g, "add", "cforg.yaml"], check=True)
        subprocess.run([*g, "commit", "-qm", keys[-1]], check=True)
        subprocess.run([*g, "push", "-q", "origin", "HEAD:main"], check=True)
    push()
    lat = []
    rng = random.Random(7)
    with Emulator(a.build, "--consistency-ms", "0") as emu:
        log = open(os.path.join(work, "controller-git.err"), "w")
        ctl = subprocess.Popen(cforg_cmd(a, "controller", "--git", "file://" + bare, "--checkout",
                                         os.path.join(work, "checkout"), "--mode", "apply",
                                         "--interval", f"{interval}s", "--state",
                                         os.path.join(work, "git.state.json"), "--log-level",
                                         "info"), env=emu.env(), stdout=subprocess.DEVNULL,
                               stderr=log)
        def names():
            with urllib.request.urlopen(urllib.request.Request(
                    emu.url + "/organizations?page_size=1000",
                    headers={"Authorization": "Bearer " + TOKEN})) as r:
                return {o["name"] for o in json.load(r)["result"]}
        try:
            deadline = time.time() + 60
            while "Org first" not in names():
                if time.time() > deadline:
                    raise SystemExit("the controller did not apply its first commit")
                time.sleep(0.1)
            for r in range(rounds + 1):
                time.sleep(rng.uniform(0, interval))
                keys.append(f"k{r}")
                push()
                pushed = time.time()
                while f"Org k{r}" not in names():
                    if time.time() > pushed + 3 * interval:
                        raise SystemExit(f"commit {r} was not applied")
                    time.sleep(0.1)
                lat.append(time.time() - pushed)
                print(f"  commit {r}: applied {lat[-1]:.2f} s after its push", file=sys.stderr,
                      flush=True)
        finally:
            ctl.terminate()
            ctl.wait(timeout=15)
            log.close()
    rep.data["commit_to_apply_s"] = lat
    rep.line(f"commit to apply at --interval {interval}s, {len(lat)} commits pushed at random "
             f"points of the interval: mean {sum(lat) / len(lat):.2f} s, max {max(lat):.2f} s "
             f"(bound: the interval plus one cycle); each: " +
             ", ".join(f"{x:.2f}" for x in lat))
    rep.line()
    rep.save()


BENCHES = {"apply-latency": bench_apply_latency, "throughput": bench_throughput,
           "plan-scale": bench_plan_scale, "refresh": bench_refresh,
           "consistency": bench_consistency, "young-window": bench_young_window,
           "requests": bench_requests,
           "shared-budget": bench_shared_budget, "contents-apply": bench_contents_apply,
           "controller": bench_controller,
           "contents-refresh": bench_contents_refresh}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rounds", type=int, default=0)
    p.add_argument("benches", nargs="+", choices=list(BENCHES))
    a = p.parse_args()
    a.build, a.work, a.out = map(os.path.abspath, (a.build, a.work, a.out))
    os.makedirs(a.work, exist_ok=True)
    for b in a.benches:
        BENCHES[b](a)


if __name__ == "__main__":
    main()
