#!/usr/bin/env python3
"""The PostgreSQL backend against the state file (issue 12's targets; docs/BENCHMARKS.md 8):

    bench/pg_bench.py --build build [--rounds 5] [--quick] [--only tree|flat|plan ...]

  throughput: 2000 creates at 0 latency, --parallelism 16, creates/s over the create phase
              (`Apply complete: ... in X s`), file vs pg (a fresh workspace each round);
              target: pg >= 0.8 x the file's.
  plan-scale: `plan --refresh=false` of 100,000 orgs, whole-process wall, the state loaded
              from the file vs from pg (pushed there once); target: pg <= 1.5 x the file's.

The server: CFORG_TEST_PG_URL, or one started by scripts/pg-server (stopped at the end).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the harness: Emulator, run, gen, med, spread)


def throughput(a, cforg, work, pg_env, n, shape):
    cfg = bench.gen(shape, n, os.path.join(work, f"{shape}-{n}.yaml"))
    rates = {"file": [], "pg": []}
    for r in range(a.rounds):
        for kind in (["file", "pg"] if r % 2 == 0 else ["pg", "file"]):
            with bench.Emulator(a.build) as emu:
                env = emu.env()
                env.update(pg_env)
                args = ["apply", "-c", cfg, "--auto-approve", "--parallelism", "16",
                        "--rate-limit", "0"]
                if kind == "pg":
                    args += ["--backend", "pg", "--workspace", "bench-" + uuid.uuid4().hex]
                else:
                    args += ["--state", os.path.join(work, f"s-{shape}-{r}.json")]
                out = os.path.join(work, kind + ".out")
                bench.run([cforg, *args], env=env, out=out)
                with open(out) as f:
                    phase = float(re.search(r"Apply complete: .* in ([0-9.]+) s\.", f.read()).group(1))
                rates[kind].append(n / phase)
    ratio = [p / f for p, f in zip(rates["pg"], rates["file"])]
    print(f"throughput ({shape}), {n} creates at 0 latency, --parallelism 16, {a.rounds} rounds:")
    for kind in ("file", "pg"):
        print(f"  {kind:4}: creates/s {bench.spread(rates[kind], '{:.0f}')}")
    print(f"  pg / file (paired): {bench.spread(ratio, '{:.2f}')}  target >= 0.80: "
          f"{'met' if bench.med(ratio) >= 0.8 else 'NOT met'}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", action="append", choices=["tree", "flat", "plan"],
                   help="run only these parts (repeatable; default: all three)")
    a = p.parse_args()
    cforg = os.path.join(a.build, "cforg")
    root = os.path.dirname(HERE)
    url = os.environ.get("CFORG_TEST_PG_URL")
    started = False
    if not url:
        out = subprocess.run([os.path.join(root, "scripts/pg-server"), "start"], check=True,
                             capture_output=True, text=True).stdout
        url = re.search(r"CFORG_TEST_PG_URL=(\S+)", out).group(1)
        started = True
    pg_env = {"CFORG_PG_URL": url}
    work = tempfile.mkdtemp(prefix="cforg-pg-bench-")
    try:
        n = 500 if a.quick else 2000
        # The 3-level estate of benchmark 2 (children wait out the emulator's post-create
        # window), and n roots (no waits: the backend's cost shows most).
        only = set(a.only or ["tree", "flat", "plan"])
        for part, shape in (("tree", "config"), ("flat", "config-flat")):
            if part in only:
                throughput(a, cforg, work, pg_env, n, shape)
        if "plan" not in only:
            return

        n = 10000 if a.quick else 100000
        cfg = bench.gen("config", n, os.path.join(work, f"plan-{n}.yaml"))
        st = bench.gen("state", n, os.path.join(work, f"plan-{n}.json"))
        ws = "bench-plan-" + uuid.uuid4().hex
        env = dict(os.environ)
        env.update(pg_env)
        bench.run([cforg, "state", "push", st, "--backend", "pg", "--workspace", ws], env=env)
        walls = {"file": [], "pg": []}
        for r in range(a.rounds):
            for kind in (["file", "pg"] if r % 2 == 0 else ["pg", "file"]):
                args = ["plan", "-c", cfg, "--refresh=false", "--detailed-exitcode"]
                args += (["--backend", "pg", "--workspace", ws] if kind == "pg" else ["--state", st])
                wall, _, _ = bench.run([cforg, *args], env=env, out=os.devnull)
                walls[kind].append(wall)
        ratio = [p / f for p, f in zip(walls["pg"], walls["file"])]
        print(f"plan --refresh=false of {n} orgs, whole process, {a.rounds} rounds:")
        for kind in ("file", "pg"):
            print(f"  {kind:4}: wall s {bench.spread(walls[kind])}")
        print(f"  pg / file (paired): {bench.spread(ratio, '{:.2f}')}  target <= 1.50: "
              f"{'met' if bench.med(ratio) <= 1.5 else 'NOT met'}")
    finally:
        subprocess.run(["rm", "-rf", work])
        if started:
            subprocess.run([os.path.join(root, "scripts/pg-server"), "stop"])


if __name__ == "__main__":
    main()
