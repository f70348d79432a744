#!/usr/bin/env python3
"""Validates cforg configs against docs/config.schema.json, as an editor would.

usage: check_config.py SCHEMA FILE...   (a FILE ending in .md: each ```yaml block of it that
holds `organizations:`). Prints one line per document, "valid PATH" or "invalid PATH" followed by one indented
"/json/pointer: reason" line per error;
exit status 0 only when every document is valid.

YAML is read with YAML 1.2's booleans (only true/false), as cforg reads it: PyYAML's YAML 1.1
would read an unquoted `yes` as true where cforg (and the schema) see a string.
"""
import json
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    pass


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def documents(path):
    text = open(path, encoding="utf-8").read()
    if not path.endswith(".md"):
        yield path, text
        return
    for n, block in enumerate(re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)):
        if re.search(r"^organizations:", block, re.M):
            yield f"{path} (yaml block {n + 1})", block


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    ok = True
    for path in sys.argv[2:]:
        for where, text in documents(path):
            errors = sorted(validator.iter_errors(yaml.load(text, Loader=Yaml12Loader)),
                            key=lambda e: list(e.absolute_path))
            if errors:
                ok = False
                print(f"invalid {where}")
                for e in errors:
                    print(f"  /{'/'.join(map(str, e.absolute_path))}: {e.message}")
            else:
                print(f"valid {where}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
