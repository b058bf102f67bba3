"""A crawler for the tests: every page reachable by links, and the text a person sees."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

from fastapi.testclient import TestClient

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# text a citizen wrote or a letter's body: checked by the letter tests, not here
QUOTED_CLASSES = {"citizen", "letter"}
QUOTED_TAGS = {"script", "style", "textarea", "pre"}
NOT_PAGES = re.compile(r"^/(api/|log-ud|sag/\d+/original)")


class VisibleText(HTMLParser):
    """The text a person reads (``<title>`` included), without citizen text or letters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: does it hide its content?
        self.hidden = 0
        self.lang = ""
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag in VOID:
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
            return
        classes = set((values.get("class") or "").split())
        hides = tag in QUOTED_TAGS or bool(classes & QUOTED_CLASSES)
        self.stack.append(hides)
        self.hidden += hides
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        self.hidden -= self.stack.pop()
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def _pattern(path: str) -> str:
    bare, _, query = path.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"[A-Z]*\d+", "N", bare) + "?" + "&".join(keys)


def crawl(client: TestClient, start: str = "/", per_pattern: int = 40) -> dict[str, str]:
    """Every local page reachable from ``start`` (at most ``per_pattern`` of each shape,
    e.g. 40 debtor pages), as path → HTML. Fails on any page that does not answer 200."""
    pages: dict[str, str] = {}
    queue, seen, shapes = [start], {start}, Counter[str]()
    while queue:
        path = queue.pop(0)
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
        if not response.headers["content-type"].startswith("text/html"):
            continue
        pages[path] = response.text
        for href in re.findall(r'href="([^"#]+)"', response.text):
            target = unescape(href)
            if target.startswith("?"):
                target = path.partition("?")[0] + target
            if not target.startswith("/") or target.startswith("//") or NOT_PAGES.match(target):
                continue
            shape = _pattern(target)
            if target in seen or shapes[shape] >= per_pattern:
                continue
            seen.add(target)
            shapes[shape] += 1
            queue.append(target)
    return pages
