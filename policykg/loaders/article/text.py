"""Reading article files (plain text, front-matter text, HTML) into metadata and a body text.

The body text returned here is what every character offset of the extractor refers to.
HTML boilerplate (scripts, styles, navigation, headers, footers, asides, forms, figures) is
dropped; block elements become paragraphs separated by blank lines.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "MAX_BYTES",
    "TextReadError",
    "decode_bytes",
    "is_html",
    "split_front_matter",
    "html_to_text",
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


class TextReadError(ValueError):
    """Raised when bytes cannot be read as an article; the message is shown to the user."""


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
    return meta, "\n\n".join(blocks)


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
    return meta, body
