#!/usr/bin/env python3
"""The cforg benchmarks (see docs/BENCHMARKS.md). Run through bench/run.sh, which builds the
programs first; this script only runs them.

    bench.py --build DIR --work DIR --out DIR [--quick] [--rounds N] BENCH...
    BENCH: apply-latency | throughput | plan-scale | refresh

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
    def __init__(self, build, *flags):
        self.proc = subprocess.Popen(
            [os.path.join(build, "cforg-emulator"), "--port", "0", "--token", TOKEN, *flags],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run(cmd, env=None, out=None, err=None, check=True, preload=None):
    """Runs cmd to completion: (wall seconds, exit code, rusage). Wall time is measured around
    fork+exec+wait of this one process."""
    env = dict(env or os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
    fout = open(out, "w") if out else subprocess.DEVNULL
    ferr = open(err, "w") if err else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=fout, stderr=ferr, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
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


BENCHES = {"apply-latency": bench_apply_latency, "throughput": bench_throughput,
           "plan-scale": bench_plan_scale, "refresh": bench_refresh}


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
