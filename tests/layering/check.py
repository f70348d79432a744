#!/usr/bin/env python3
"""Each stage includes only the stages it links (the pipeline never climbs back up).

Every stage's public headers share one include/ folder, so the compiler cannot stop
src/config/ from including cforg/apply/...; this check can. The allowed edges are read from
CMakeLists.txt's cforg_module(NAME DEPS...) lines, so the build and this check cannot disagree.
The emulator includes no cforg header at all: it shares no code with the client on purpose.

  tests/layering/check.py SOURCE_DIR     # exit 1 and one line per bad include
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
cmake = (root / "CMakeLists.txt").read_text()

deps = {}
for name, args in re.findall(r"^cforg_module\((\w+)([^)]*)\)", cmake, re.M):
    deps[name] = {d[len("cforg_"):] for d in args.split() if d.startswith("cforg_")}
if not deps:
    sys.exit("no cforg_module(...) lines in CMakeLists.txt: update tests/layering/check.py")


def closure(stage, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(stage, ()):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen


include = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
bad = []
for stage in list(deps) + ["emulator"]:
    allowed = set() if stage == "emulator" else closure(stage) | {stage}
    files = sorted((root / "src" / stage).glob("*.[ch]*"))
    files += sorted((root / "include" / "cforg" / stage).glob("*.h"))
    for f in files:
        text = f.read_text(errors="replace")
        for m in include.finditer(text):
            path = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            where = f"{f.relative_to(root)}:{line}"
            if path.startswith("../") or path.startswith("src/"):
                bad.append(f"{where}: includes \"{path}\", another stage's private header; "
                           "move what it needs into that stage's public header")
                continue
            parts = path.split("/")
            if parts[0] == "cforg" and len(parts) > 2 and parts[1] not in allowed:
                links = ", ".join(sorted(allowed)) or "no cforg stage"
                bad.append(f"{where}: {stage} includes \"{path}\", but links only {links} "
                           "(CMakeLists.txt): a stage may use only the stages before it")

for b in bad:
    print(b)
print(f"layering: {len(deps) + 1} stages checked, {len(bad)} bad include(s)")
sys.exit(1 if bad else 0)
