#!/usr/bin/env python3
"""The CI workflows in examples/ci parse as YAML and run only what cforg has.

Every `cforg ...` command in a run:/script: step is checked against `cforg --help-all`: the
subcommand exists, each --flag is one of its options, and a flag with choices ({a,b}) gets
one of them.

  tests/examples/check_workflows.py CFORG_BIN WORKFLOW...    # exit 1 and one line per problem
"""
import re
import shlex
import subprocess
import sys

import yaml

cforg, workflows = sys.argv[1], sys.argv[2:]
help_all = subprocess.run([cforg, "--help-all"], capture_output=True, text=True, check=True).stdout

# Sections of --help-all: a command name at column 0 (or 2 for a nested one), then its options.
commands = {}
current = None
for line in help_all.splitlines():
    m = re.fullmatch(r"( {0,2})([a-z][a-z-]*)", line)
    if m:
        name = m.group(2)
        current = name if not m.group(1) else f"{top} {name}"
        if not m.group(1):
            top = name
        commands[current] = {}
        continue
    m = re.match(r"\s+((?:-\w,)?--[\w-]+)(?: (\S+))?", line)
    if m and current:
        choices = re.search(r"\{([^}]*)\}", m.group(2) or "")
        for flag in m.group(1).split(","):
            commands[current][flag] = choices.group(1).split(",") if choices else None
# Options of a parent command (--help, --help-all) are everyone's.
for name in list(commands):
    if " " in name:
        commands[name] = {**commands[name.split()[0]], **commands[name]}


def scripts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "before_script", "after_script"):
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


problems, checked = [], 0
for path in workflows:
    with open(path) as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict):
        problems.append(f"{path}: not a YAML mapping")
        continue
    for text in scripts(doc):
        for line in str(text).replace("\\\n", " ").splitlines():
            # cforg where a command starts: a line's start, after ; && || | or $(.
            for m in re.finditer(r"(?:^\s*|[;&|]\s*|\$\(\s*)cforg\s+([^;&|>()]*)", line):
                try:
                    words = shlex.split(m.group(1), comments=True)
                except ValueError as e:
                    problems.append(f"{path}: cannot read '{line.strip()}': {e}")
                    continue
                if not words or words[0].startswith("-"):
                    continue
                name = words[0]
                if len(words) > 1 and f"{name} {words[1]}" in commands:
                    name = f"{name} {words[1]}"
                checked += 1
                where = f"{path}: cforg {' '.join(words)}"
                if name not in commands:
                    problems.append(f"{where}: cforg has no command '{name}'")
                    continue
                for i, word in enumerate(words):
                    flag = word.split("=")[0]
                    if not flag.startswith("-"):
                        continue
                    if flag not in commands[name]:
                        problems.append(f"{where}: '{name}' has no option {flag}")
                        continue
                    choices = commands[name][flag]
                    value = word.split("=", 1)[1] if "=" in word else (
                        words[i + 1] if i + 1 < len(words) else None)
                    if choices and value not in choices:
                        problems.append(f"{where}: {flag} takes {'|'.join(choices)}, not {value}")

for p in problems:
    print(p)
print(f"workflows: {len(workflows)} files, {checked} cforg commands checked, {len(problems)} problem(s)")
sys.exit(1 if problems or checked == 0 else 0)
