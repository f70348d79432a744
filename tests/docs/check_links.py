#!/usr/bin/env python3
"""Every relative link in README.md and docs/*.md names a file that exists, and every #anchor
names a heading of that file (GitHub's slugs), so that moving a section cannot leave a dead
link behind. Links to the web (http:, https:, mailto:) are not followed: CI has no network.
And the README stays the front door, not the manual: at most README_MAX_LINES lines.

    check_links.py SOURCE_DIR
"""
import pathlib
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
README_MAX_LINES = 250


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def outside_fences(text):
    """The lines of a markdown text that are not inside a fenced code block."""
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            yield number, line


def anchors(path):
    seen = {}
    result = set()
    for _, line in outside_fences(path.read_text(encoding="utf-8")):
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        result.add(base if n == 0 else f"{base}-{n}")
    return result


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    problems = []
    checked = 0
    for page in pages:
        for number, line in outside_fences(page.read_text(encoding="utf-8")):
            line = re.sub(r"`[^`]*`", "", line)  # code spans hold no links
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                checked += 1
                where = f"{page.relative_to(root)}:{number}"
                file_part, _, anchor = target.partition("#")
                dest = (page.parent / file_part).resolve() if file_part else page
                if not dest.exists():
                    problems.append(f"{where}: {target}: no such file {dest.relative_to(root) if dest.is_relative_to(root) else dest}")
                    continue
                if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    problems.append(f"{where}: {target}: {dest.name} has no heading #{anchor}")
    readme_lines = (root / "README.md").read_text(encoding="utf-8").count("\n")
    if readme_lines > README_MAX_LINES:
        problems.append(f"README.md: {readme_lines} lines, more than {README_MAX_LINES}: "
                        "move the details into docs/ and link them")
    for p in problems:
        print(p)
    print(f"checked {checked} links in {len(pages)} pages: {len(problems)} broken")
    if checked < 20:
        print("fewer than 20 links found: is the link pattern still right?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
