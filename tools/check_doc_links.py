# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the relative links of README.md and docs/**/*.md: the file exists and, for
`page.md#anchor`, the page has a heading with that anchor (GitHub's slugs, which MyST's
heading anchors follow). No network: absolute URLs are not checked.

Usage: python tools/check_doc_links.py   (from the repository root; exit status 1 on a
broken link)
"""

import re
import sys
from pathlib import Path

LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set:
    return {slug(h) for h in HEADING.findall(FENCE.sub("", page.read_text()))}


def broken_links(page: Path) -> list:
    problems = []
    for target in LINK.findall(FENCE.sub("", page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            problems.append(f"{page}: {target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{page}: {target}: no heading with this anchor")
    return problems


def main() -> int:
    pages = [Path("README.md"), *sorted(Path("docs").rglob("*.md"))]
    pages = [p for p in pages if "_build" not in p.parts]
    problems = [problem for page in pages for problem in broken_links(page)]
    print("\n".join(problems) or f"links: {len(pages)} pages, no broken relative link")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
