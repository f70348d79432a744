#!/usr/bin/env python3
"""The deploy examples of `cforg controller` (examples/controller) are valid.

  tests/examples/check_controller_examples.py CFORG_BIN EXAMPLES_DIR   # exit 1, one line a problem

Every `cforg controller` command line in them (the systemd unit's ExecStart, the Deployment's
command + args) is checked against `CFORG_BIN controller --help`: each --flag is one of its
options, a flag with choices ({a,b}) gets one of them (--mode: report|plan|apply), a flag that
takes a value has one, durations read as durations, --listen is HOST:PORT, --backend is pg, no
--once, and no credential is on the command line (no --state-url, no URL with a password, no
CLOUDFLARE_*=).

kubernetes.yaml (every document): a Deployment of 2 replicas on --backend pg, CFORG_PG_URL and
the Cloudflare credentials from secretKeyRef, the liveness probe on /healthz and the readiness
probe on /readyz at the port --listen names (which is not loopback: the kubelet probes the pod's
IP), a grace period above the controller's 10 s shutdown, resources, a non-root read-only
container whose --checkout and --plans-dir are on emptyDir volumes, the prometheus.io
annotations; a Service on that port; no Namespace, no Secret.

cforg-controller.service: the keys a long-running controller needs (Type, ExecReload sending
SIGHUP, KillSignal=SIGTERM, TimeoutStopSec above 10 s, Restart=on-failure, EnvironmentFile, a
user that is not root, StateDirectory=cforg as WorkingDirectory, the hardening), the paths it
writes inside the StateDirectory (ProtectSystem=strict makes the rest read-only); then
`systemd-analyze verify` on a copy that runs CFORG_BIN, when systemd-analyze is installed.

controller.env.example: KEY=VALUE lines (for EnvironmentFile= and kubectl --from-env-file),
its secrets placeholders only.
"""
import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

cforg, examples = os.path.abspath(sys.argv[1]), sys.argv[2]
UNIT = os.path.join(examples, "cforg-controller.service")
MANIFEST = os.path.join(examples, "kubernetes.yaml")
ENV_EXAMPLE = os.path.join(examples, "controller.env.example")
MODES = ("report", "plan", "apply")
CREDENTIAL_VARS = ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN", "CFORG_PG_URL")
SECRET_VARS = ("CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN")

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


# --- the options of `cforg controller`, from its --help -------------------------------------
help_text = subprocess.run([cforg, "controller", "--help"], capture_output=True, text=True,
                           check=True).stdout
options = {}  # flag -> {"value": takes a value, "choices": [..] or None}
for line in help_text.splitlines():
    m = re.match(r"\s+((?:-\w,)?--[\w-]+)(?: (\S+))?", line)
    if not m:
        continue
    choices = re.search(r"\{([^}]*)\}", m.group(2) or "")
    for flag in m.group(1).split(","):
        options[flag] = {"value": m.group(2) is not None,
                         "choices": choices.group(1).split(",") if choices else None}
# CLI11 prints its config-file option without a type name; it takes a value all the same.
if "--settings" in options:
    options["--settings"]["value"] = True
if "--mode" not in options or "--listen" not in options:
    print(f"{cforg} controller --help lists no --mode or --listen: is it the controller's binary?")
    sys.exit(1)

DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h))+")


def check_command(where, words):
    """words: what follows `cforg controller`. Returns {flag: value} of what it was given."""
    given = {}
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if not word.startswith("-"):
            problem(where, f"'{word}': cforg controller takes no positional argument "
                           "(a flag's value without its flag?)")
            continue
        flag, eq, value = word.partition("=")
        if flag not in options:
            problem(where, f"cforg controller has no option {flag}")
            continue
        if options[flag]["value"]:
            if not eq:
                if i >= len(words) or (words[i].startswith("--") and words[i] not in ("--",)):
                    problem(where, f"{flag} needs a value")
                    continue
                value = words[i]
                i += 1
        elif eq:
            problem(where, f"{flag} is a flag: it takes no value ({word})")
        given[flag] = value if options[flag]["value"] else True
        choices = options[flag]["choices"]
        if choices and value not in choices:
            problem(where, f"{flag} takes {'|'.join(choices)}, not {value}")
    if "--mode" in given and given["--mode"] not in MODES:
        problem(where, f"--mode {given['--mode']}: not one of {'|'.join(MODES)}")
    for flag in ("--interval", "--lease"):
        if flag in given and not DURATION.fullmatch(given[flag]):
            problem(where, f"{flag} {given[flag]}: not a duration such as 30s, 5m or 1h30m")
    if "--listen" in given and not re.fullmatch(r"[^\s:]*:\d{1,5}|\[[0-9a-fA-F:.]+\]:\d{1,5}",
                                                given["--listen"]):
        problem(where, f"--listen {given['--listen']}: not HOST:PORT")
    if given.get("--backend") != "pg":
        problem(where, f"--backend pg expected (the replicas' lease), not {given.get('--backend')}")
    if "--once" in given:
        problem(where, "--once: one cycle, then exit; a service runs a cycle every --interval")
    if "--git" not in given and "--source" not in given:
        problem(where, "no source: --git URL or --source DIR")
    # No credential on the command line: /proc/PID/cmdline is readable by every user.
    if "--state-url" in given:
        problem(where, "--state-url puts the PostgreSQL password in the process list: "
                       "use CFORG_PG_URL from the environment")
    for word in words:
        if re.search(r"postgres(?:ql)?://", word):
            problem(where, f"a PostgreSQL URL on the command line: {word}")
        if re.search(r"://[^/@\s]*:[^/@\s]*@", word):
            problem(where, f"a URL with a password on the command line: {word}")
        if re.search(r"CLOUDFLARE_\w+=|CFORG_PG_URL=", word):
            problem(where, f"a credential on the command line: {word}")
    return given


def listen_port(given):
    listen = given.get("--listen", "")
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else None


def under(path, root):
    path, root = os.path.normpath(path), os.path.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


commands = 0

# --- kubernetes.yaml ----------------------------------------------------------------------------
where = MANIFEST
with open(MANIFEST) as f:
    docs = [d for d in yaml.safe_load_all(f) if d is not None]
kinds = [d.get("kind") for d in docs if isinstance(d, dict)]
if len(kinds) != len(docs):
    problem(where, "a document that is not a mapping")
for d in docs:
    if isinstance(d, dict):
        if d.get("kind") in ("Namespace", "Secret"):
            problem(where, f"a {d['kind']}: the manifest is Namespace-free and only references "
                           "the Secret cforg-credentials (created with kubectl create secret)")
        if (d.get("metadata") or {}).get("namespace"):
            problem(where, f"{d.get('kind')} names a namespace: leave it to kubectl -n")
deployments = [d for d in docs if isinstance(d, dict) and d.get("kind") == "Deployment"]
services = [d for d in docs if isinstance(d, dict) and d.get("kind") == "Service"]
if len(deployments) != 1:
    problem(where, f"{len(deployments)} Deployments, expected 1")
if len(services) != 1:
    problem(where, f"{len(services)} Services, expected 1")
port = None
for dep in deployments[:1]:
    spec = dep.get("spec") or {}
    if spec.get("replicas") != 2:
        problem(where, f"replicas: {spec.get('replicas')}, expected 2 (a leader and a standby)")
    template = spec.get("template") or {}
    pod = template.get("spec") or {}
    grace = pod.get("terminationGracePeriodSeconds")
    if not isinstance(grace, int) or grace <= 10:
        problem(where, f"terminationGracePeriodSeconds: {grace}: above the 10 s SIGTERM takes")
    containers = [c for c in pod.get("containers") or []
                  if "cforg" in " ".join(map(str, (c.get("command") or []) + (c.get("args") or [])))]
    if len(containers) != 1:
        problem(where, f"{len(containers)} containers running cforg, expected 1")
        continue
    c = containers[0]
    line = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
    try:
        at = next(i for i, w in enumerate(line) if os.path.basename(w) == "cforg")
    except StopIteration:
        at = None
    if at is None or line[at + 1:at + 2] != ["controller"]:
        problem(where, f"the container does not run `cforg controller`: {line}")
        continue
    commands += 1
    given = check_command(f"{where}: container {c.get('name')}", line[at + 2:])
    host, port = listen_port(given)
    if port is None:
        problem(where, "no --listen HOST:PORT: the probes have nothing to ask")
    elif host == "localhost" or (re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*", host)
                                 and ipaddress.ip_address(host).is_loopback):
        problem(where, f"--listen {given['--listen']}: loopback, but the kubelet probes the pod's IP")

    named = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}

    def probe_port(value):
        return named.get(value) if isinstance(value, str) else value

    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (c.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != path:
            problem(where, f"{probe}: httpGet path {get.get('path')}, expected {path}")
        if port is not None and probe_port(get.get("port")) != port:
            problem(where, f"{probe}: port {get.get('port')}, but --listen names {port}")
    if port is not None and port not in named.values():
        problem(where, f"no containerPort {port} (the --listen port)")

    env = {e.get("name"): e for e in c.get("env") or []}
    for name in CREDENTIAL_VARS:
        e = env.get(name)
        if e is None:
            continue
        ref = (e.get("valueFrom") or {}).get("secretKeyRef")
        if "value" in e or not ref:
            problem(where, f"env {name}: a literal; it must come from a secretKeyRef")
        elif ref.get("name") != "cforg-credentials":
            problem(where, f"env {name}: secretKeyRef of {ref.get('name')}, not cforg-credentials")
    if "CFORG_PG_URL" not in env:
        problem(where, "no env CFORG_PG_URL (from a secretKeyRef): --backend pg has no database")
    elif ((env["CFORG_PG_URL"].get("valueFrom") or {}).get("secretKeyRef") or {}).get("optional"):
        problem(where, "env CFORG_PG_URL: optional, but --backend pg cannot run without it")
    if not ({"CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"} <= env.keys() or "CLOUDFLARE_API_TOKEN" in env):
        problem(where, "no Cloudflare credentials in env: CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY "
                       "or CLOUDFLARE_API_TOKEN")
    for e in c.get("envFrom") or []:
        problem(where, f"envFrom {e}: name each variable (secretKeyRef) instead")

    resources = c.get("resources") or {}
    for kind in ("requests", "limits"):
        if not (resources.get(kind) or {}).get("memory") or not (resources.get(kind) or {}).get("cpu"):
            problem(where, f"resources.{kind}: cpu and memory expected")

    pod_sc, sc = pod.get("securityContext") or {}, c.get("securityContext") or {}
    if not (sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))):
        problem(where, "securityContext: runAsNonRoot: true expected")
    if sc.get("readOnlyRootFilesystem") is not True:
        problem(where, "securityContext: readOnlyRootFilesystem: true expected")
    if sc.get("allowPrivilegeEscalation") is not False:
        problem(where, "securityContext: allowPrivilegeEscalation: false expected")
    empty_dirs = {v.get("name") for v in pod.get("volumes") or [] if "emptyDir" in v}
    writable = [m.get("mountPath") for m in c.get("volumeMounts") or []
                if m.get("name") in empty_dirs and not m.get("readOnly")]
    workdir = c.get("workingDir", "/")
    for flag, default in (("--checkout", "cforg-checkout"), ("--plans-dir", "cforg-plans")):
        path = os.path.join(workdir, given.get(flag, default))
        if not any(under(path, m) for m in writable):
            problem(where, f"{flag} {path} is on the read-only root filesystem: "
                           f"mount an emptyDir there (writable: {writable})")

    notes = (template.get("metadata") or {}).get("annotations") or {}
    if notes.get("prometheus.io/scrape") != "true":
        problem(where, f"pod annotation prometheus.io/scrape: \"true\" expected, "
                       f"not {notes.get('prometheus.io/scrape')!r}")
    if port is not None and notes.get("prometheus.io/port") != str(port):
        problem(where, f"pod annotation prometheus.io/port: {notes.get('prometheus.io/port')!r}, "
                       f"expected \"{port}\"")
    if notes.get("prometheus.io/path", "/metrics") != "/metrics":
        problem(where, f"pod annotation prometheus.io/path: {notes.get('prometheus.io/path')}")

    labels = (template.get("metadata") or {}).get("labels") or {}
    for svc in services[:1]:
        sspec = svc.get("spec") or {}
        selector = sspec.get("selector") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            problem(where, f"Service selector {selector} does not select the pods ({labels})")
        targets = [probe_port(p.get("targetPort", p.get("port"))) for p in sspec.get("ports") or []]
        if port is not None and port not in targets:
            problem(where, f"the Service exposes no port reaching {port} (targets: {targets})")

# --- cforg-controller.service -----------------------------------------------------------------
where = UNIT
sections, section = {}, None
with open(UNIT) as f:
    text = f.read()
for line in re.sub(r"\\\n", " ", text).splitlines():
    line = line.strip()
    if not line or line[0] in "#;":
        continue
    m = re.fullmatch(r"\[(\w+)\]", line)
    if m:
        section = sections.setdefault(m.group(1), {})
        continue
    key, eq, value = line.partition("=")
    if not eq or section is None:
        problem(where, f"not a key=value line in a section: {line}")
        continue
    section.setdefault(key.strip(), []).append(value.strip())
service = sections.get("Service", {})


def one(key):
    values = service.get(key) or [None]
    return values[-1]


def yes(key):
    return (one(key) or "").lower() in ("yes", "true", "on", "1")


if one("Type") not in ("simple", "exec"):
    problem(where, f"Type={one('Type')}: simple or exec (cforg controller does not fork)")
if not re.fullmatch(r"/(?:usr/)?bin/kill -(?:HUP|s HUP|SIGHUP|1) \$MAINPID", one("ExecReload") or ""):
    problem(where, f"ExecReload={one('ExecReload')}: /bin/kill -HUP $MAINPID expected (SIGHUP: a cycle now)")
if one("KillSignal") not in ("SIGTERM", "TERM", "15"):
    problem(where, f"KillSignal={one('KillSignal')}: SIGTERM expected")
stop = re.fullmatch(r"(\d+)(s?)", one("TimeoutStopSec") or "")
if not stop or int(stop.group(1)) <= 10:
    problem(where, f"TimeoutStopSec={one('TimeoutStopSec')}: above the 10 s SIGTERM takes")
if one("Restart") != "on-failure":
    problem(where, f"Restart={one('Restart')}: on-failure expected")
if "/etc/cforg/controller.env" not in [v.lstrip("-") for v in service.get("EnvironmentFile", [])]:
    problem(where, "EnvironmentFile=/etc/cforg/controller.env expected (the credentials)")
for value in service.get("Environment", []):
    if re.search(r"CLOUDFLARE_API_KEY|CLOUDFLARE_API_TOKEN|CFORG_PG_URL", value):
        problem(where, f"Environment={value}: a credential in the unit (world-readable): "
                       "put it in the EnvironmentFile")
if not yes("DynamicUser") and one("User") in (None, "root", "0"):
    problem(where, "no DynamicUser=yes and no User= other than root")
if one("StateDirectory") != "cforg":
    problem(where, f"StateDirectory={one('StateDirectory')}: cforg expected")
state_dir = "/var/lib/cforg"
if one("WorkingDirectory") not in (state_dir, "%S/cforg"):
    problem(where, f"WorkingDirectory={one('WorkingDirectory')}: the StateDirectory ({state_dir}) expected")
for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
    if not yes(key):
        problem(where, f"{key}={one(key)}: yes expected")
if one("ProtectSystem") != "strict":
    problem(where, f"ProtectSystem={one('ProtectSystem')}: strict expected")
if sections.get("Install", {}).get("WantedBy") is None:
    problem(where, "no [Install] WantedBy=: systemctl enable has nothing to do")

exec_start = one("ExecStart") or ""
words = shlex.split(exec_start.lstrip("-@:+!"))
if words[:2] != ["/usr/bin/cforg", "controller"]:
    problem(where, f"ExecStart={exec_start[:60]}...: /usr/bin/cforg controller expected")
else:
    commands += 1
    given = check_command(f"{where}: ExecStart", words[2:])
    host, unit_port = listen_port(given)
    if given.get("--listen") != "127.0.0.1:9464":
        problem(where, f"--listen {given.get('--listen')}: 127.0.0.1:9464 expected")
    # ProtectSystem=strict: only the StateDirectory is writable.
    for flag, default in (("--checkout", "cforg-checkout"), ("--plans-dir", "cforg-plans")):
        path = os.path.join(state_dir, given.get(flag, default).replace("%S", "/var/lib"))
        if not under(path, state_dir):
            problem(where, f"{flag} {path}: outside {state_dir}, read-only under ProtectSystem=strict")

if shutil.which("systemd-analyze") is None:
    print("note: systemd-analyze is not installed: the unit is not verified by systemd")
elif re.search(r"\s", cforg):
    print(f"note: {cforg} has a blank in its path: the unit is not verified by systemd")
else:
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "cforg-controller.service")
        with open(copy, "w") as f:
            f.write(re.sub(r"^ExecStart=/usr/bin/cforg ", f"ExecStart={cforg} ", text, flags=re.M))
        # --man=no: Documentation=man:cforg(1) is there once cforg is installed, not in a build.
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", copy],
                           capture_output=True, text=True)
        output = (r.stdout + r.stderr).strip()
        ours = [line for line in output.splitlines() if "cforg-controller.service" in line]
        for line in ours:
            problem(where, f"systemd-analyze verify: {line.replace(tmp + '/', '')}")
        if r.returncode != 0 and not ours:
            problem(where, f"systemd-analyze verify exited {r.returncode}: {output}")
        elif output and not ours:
            print(f"note: systemd-analyze verify, about other units: {output}")
        print(f"systemd-analyze verify: exit {r.returncode}, {len(ours)} complaint(s) about the unit")

# --- controller.env.example ---------------------------------------------------------------------
where = ENV_EXAMPLE
env_keys = set()
with open(ENV_EXAMPLE) as f:
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(\S*)", line)
        if not m:
            problem(f"{where}:{n}", f"not KEY=VALUE (unquoted, for EnvironmentFile= and "
                                    f"kubectl --from-env-file): {line}")
            continue
        key, value = m.groups()
        env_keys.add(key)
        if key in SECRET_VARS and "REPLACE" not in value:
            problem(f"{where}:{n}", f"{key}: a placeholder (REPLACE_...) expected, not a value")
        if key == "CFORG_PG_URL":
            password = re.search(r"://[^:/@]*:([^@]*)@", value)
            if password and "REPLACE" not in password.group(1):
                problem(f"{where}:{n}", "CFORG_PG_URL: its password must be a placeholder (REPLACE_...)")
for key in ("CFORG_PG_URL",):
    if key not in env_keys:
        problem(where, f"no {key}=")
if not ({"CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"} <= env_keys or "CLOUDFLARE_API_TOKEN" in env_keys):
    problem(where, "no CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, nor CLOUDFLARE_API_TOKEN")

for p in problems:
    print(p)
print(f"controller examples: {commands} cforg controller command(s) checked, {len(problems)} problem(s)")
sys.exit(1 if problems or commands != 2 else 0)
