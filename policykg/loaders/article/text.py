"""Reading article files (plain text, front-matter text, HTML) into metadata and a body text.

The body text returned here is what every character offset of the extractor refers to.
HTML boilerplate (scripts, styles, navigation, headers, footers, asides, forms, figures, and
elements whose class or id names page furniture such as newsletters or related stories) is
dropped; block elements become paragraphs separated by blank lines.

Page furniture is dropped from plain text and HTML alike (:func:`drop_page_furniture`): the
trailer that follows the article (paywall and subscription appeals, donation letters, "related
stories") is cut off, and short furniture lines inside it (a newsletter box, "Read more:") are
blanked with spaces. The kept text keeps its offsets: a plain-text body is the file's text with
the tail cut and furniture lines blanked, never shifted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.exceptions import TextReadError
from policykg.loaders.article import gazetteer as gz

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode as Node

__all__ = [
    "MAX_BYTES",
    "TextReadError",
    "decode_bytes",
    "is_html",
    "split_front_matter",
    "html_to_text",
    "drop_page_furniture",
    "read_article_bytes",
]

#: files larger than this are rejected (10 MB).
MAX_BYTES = 10 * 1024 * 1024

_HTML_SNIFF = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:p|div|article|span|a|br|h[1-6])\b[^>]*>", re.I)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "figure",
    "button",
    "select",
    "template",
    "object",
    "embed",
    "canvas",
)
_BLOCK_SELECTOR = "h1,h2,h3,h4,h5,h6,p,li,blockquote,pre,dd,dt,td,th"
_BLOCK_NAMES = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dd", "dt", "td", "th"}
)


_END_MARKER = re.compile(
    r"[\W_]*(?:" + "|".join(gz.END_OF_ARTICLE_MARKERS) + ")", re.I
)
_FURNITURE_LINE = re.compile(r"[\W_]*(?:" + "|".join(gz.BOILERPLATE_LINES) + ")", re.I)
_CLASS_WORD_SPLIT = re.compile(r"[-_\s]+")
#: an end-of-article marker this early is a banner above the article, not its end.
_MIN_END_FRACTION = 0.25
#: longer paragraphs are article text even when they open like furniture.
_MAX_FURNITURE_CHARS = 200
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})


def decode_bytes(raw: bytes, name: str) -> str:
    """Decode raw bytes as UTF-8 text, rejecting empty, oversized and binary content.

    Args:
        raw: The file content.
        name: The file name used in error messages.

    Returns:
        The decoded text with newlines normalized to ``\\n`` and a BOM removed.

    Raises:
        TextReadError: If the content is empty, larger than :data:`MAX_BYTES`, contains NUL
            bytes or is not valid UTF-8.
    """
    if not raw.strip():
        raise TextReadError(f"{name}: empty file")
    if len(raw) > MAX_BYTES:
        raise TextReadError(
            f"{name}: file too large ({len(raw)} bytes; the article limit is {MAX_BYTES} bytes)"
        )
    if b"\x00" in raw[:65536]:
        raise TextReadError(f"{name}: binary file (contains NUL bytes), not a text article")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextReadError(
            f"{name}: not UTF-8 text (invalid byte at offset {exc.start}); binary file?"
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 65536):
        raise TextReadError(f"{name}: binary file (too many control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_html(text: str, path: Path | None = None) -> bool:
    """Tell whether a text is HTML, from the file extension or the content.

    Args:
        text: The decoded file content.
        path: The file path, if any.

    Returns:
        True for ``.html``/``.htm`` files and for content that starts like an HTML page or is
        dense in HTML block tags.
    """
    if path is not None and path.suffix.lower() in {".html", ".htm", ".xhtml"}:
        return True
    head = text[:4096]
    if _HTML_SNIFF.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) >= 3


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a small ``---``-delimited ``key: value`` block off the start of a text.

    Args:
        text: The decoded text.

    Returns:
        The metadata (lower-cased keys, unquoted values) and the remaining body. Without a
        front matter block the metadata is empty and the body is the whole text.
    """
    match = _FRONT.match(text)
    if match is None:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).split("\n"):
        m = _FRONT_LINE.match(line)
        if m is None:
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[m.group(1).lower()] = value
    return meta, text[match.end() :]


def _furniture(units: list[tuple[int, str]], total: int) -> tuple[int | None, list[int]]:
    """Find page furniture among text units (lines or HTML blocks), each with its offset.

    Returns:
        The index of the unit that opens the trailer (``None`` when there is none) and the
        indices of the furniture units before it.
    """
    dropped: list[int] = []
    for index, (offset, unit) in enumerate(units):
        line = unit.strip()
        if not line:
            continue
        if _END_MARKER.match(line):
            if offset >= _MIN_END_FRACTION * total:
                return index, dropped
            if len(line) <= _MAX_FURNITURE_CHARS:
                dropped.append(index)
        elif len(line) <= _MAX_FURNITURE_CHARS and _FURNITURE_LINE.match(line):
            dropped.append(index)
    return None, dropped


def drop_page_furniture(text: str) -> str:
    """Cut the trailer after an article and blank furniture lines, keeping every offset.

    Args:
        text: A plain-text article body.

    Returns:
        A prefix of ``text`` (the trailer cut off, trailing whitespace removed) in which each
        furniture line is replaced by as many spaces: ``result[i] == text[i]`` for every kept
        character, so spans found in the result are spans of ``text``.

    Examples:
        >>> body = "Officials met on Monday.\\n\\nSign up for our daily newsletter\\n\\nThey left."
        >>> drop_page_furniture(body + "\\n\\nSubscribe to continue reading.")[-10:]
        'They left.'
    """
    units: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        units.append((offset, line))
        offset += len(line) + 1
    cut, dropped = _furniture(units, len(text))
    if cut is None and not dropped:
        return text
    chars = list(text if cut is None else text[: units[cut][0]])
    for index in dropped:
        start, line = units[index]
        chars[start : start + len(line)] = " " * len(line)
    return "".join(chars).rstrip()


def _is_furniture_element(attributes: dict[str, str | None]) -> bool:
    names = " ".join(filter(None, (attributes.get("class"), attributes.get("id"))))
    words = {w.lower() for w in _CLASS_WORD_SPLIT.split(names) if w}
    return bool(words & gz.BOILERPLATE_CLASS_WORDS)


def _clean(s: str) -> str:
    return _WS.sub(" ", s).strip()


def html_to_text(html: str) -> tuple[dict[str, str], str]:
    """Turn an HTML page into metadata and a paragraph text without boilerplate.

    Args:
        html: The HTML source.

    Returns:
        Metadata (``title``, ``date``, ``publisher``, ``url`` when found) and the body text,
        one block element per paragraph, paragraphs separated by blank lines.
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    meta: dict[str, str] = {}

    def meta_content(*selectors: str) -> str | None:
        for sel in selectors:
            node = tree.css_first(sel)
            if node is not None:
                content = node.attributes.get("content") or node.attributes.get("href")
                if content:
                    return _clean(content)
        return None

    title = meta_content('meta[property="og:title"]', 'meta[name="title"]')
    if title is None:
        tnode = tree.css_first("title")
        if tnode is not None:
            title = _clean(tnode.text()) or None
    if title:
        meta["title"] = title
    date = meta_content(
        'meta[property="article:published_time"]',
        'meta[name="date"]',
        'meta[name="pubdate"]',
        'meta[name="publication_date"]',
        'meta[itemprop="datePublished"]',
    )
    if date is None:
        tnode = tree.css_first("time[datetime]")
        if tnode is not None:
            date = tnode.attributes.get("datetime") or None
    if date:
        meta["date"] = date
    publisher = meta_content('meta[property="og:site_name"]', 'meta[name="publisher"]')
    if publisher:
        meta["publisher"] = publisher
    url = meta_content('link[rel="canonical"]', 'meta[property="og:url"]')
    if url:
        meta["url"] = url

    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return meta, ""
    _drop_furniture_elements(root)
    blocks: list[str] = []
    for node in root.css(_BLOCK_SELECTOR):
        parent = node.parent
        nested = False
        while parent is not None:
            if parent.tag in _BLOCK_NAMES:
                nested = True
                break
            parent = parent.parent
        if nested:
            continue
        block = _clean(node.text(deep=True, separator=" "))
        if block:
            blocks.append(block)
    if not blocks:
        body = root.text(deep=True, separator="\n")
        lines = [_clean(line) for line in body.split("\n")]
        blocks = [line for line in lines if line]
    units: list[tuple[int, str]] = []
    offset = 0
    for block in blocks:
        units.append((offset, block))
        offset += len(block) + 2
    cut, dropped = _furniture(units, offset)
    drop = set(dropped)
    kept = [b for i, b in enumerate(blocks[:cut]) if i not in drop]
    return meta, "\n\n".join(kept)


def _drop_furniture_elements(root: Node) -> None:
    """Remove elements whose class or id names page furniture, unless they hold the article.

    A page may put a furniture word on the article's own wrapper ("story has-related"), so an
    element holding half the paragraph text or more is kept.
    """
    total = sum(len(p.text(deep=True)) for p in root.css("p"))
    for node in root.css("[class],[id]"):
        if node.tag in _KEEP_TAGS or not _is_furniture_element(dict(node.attributes)):
            continue
        held = sum(len(p.text(deep=True)) for p in node.css("p"))
        if total and held * 2 >= total:
            continue
        node.decompose()


def read_article_bytes(raw: bytes, path: Path) -> tuple[dict[str, str], str]:
    """Read an article's raw bytes into metadata and a body text.

    Args:
        raw: The file content.
        path: The file path (for the format guess and error messages).

    Returns:
        The metadata dictionary and the body text.

    Raises:
        TextReadError: If the content cannot be read as text.
    """
    text = decode_bytes(raw, str(path))
    if is_html(text, path):
        return html_to_text(text)
    meta, body = split_front_matter(text)
    return meta, drop_page_furniture(body)
