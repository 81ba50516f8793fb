"""What makes a title: junk metadata titles, banners, and text that can stand as a title.

Shared by the PDF and DOCX converters. Metadata titles are often junk (``Microsoft Word -
rules_v3.docx``, ``Word Document``, a file name) and the first prominent line of a document
is often a banner (``DISCLAIMER``, ``CONFIDENTIAL``); neither is the document's title.
"""

from __future__ import annotations

import re

from docsense.adapters.convert._pdf_layout import (
    NUMBERED,
    PART,
    caps_candidate,
    is_metadata_line,
    is_page_number,
    is_toc_line,
)
from docsense.adapters.convert._pdf_tables import CAPTION

__all__ = ["is_banner", "real_title", "strip_leading_marks", "title_candidate"]

_JUNK = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b.*|untitled\b.*|word\s+document|document\s*\d*"
    r"|slide\s*\d+|title|no\s+title|pdf|unknown|none|null|\W*)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|pptx?|xlsx?|rtf|odt|tex|dvi|txt|md|html?|indd)\s*$", re.I)
_BANNERS = frozenset(
    {
        "disclaimer", "disclaimers", "important notice", "important information", "notice",
        "important", "confidential", "strictly confidential", "draft", "table of contents",
        "contents", "legal notice", "disclosure", "disclosures", "warning",
        "for internal use only", "internal use only", "privileged and confidential",
        "not for distribution",
    }
)  # fmt: skip
_LEADING_MARKS = re.compile(r"^[^\w\"'(\u201c\u2018]+")  # bullets and arrows before a title
_MAX_WORDS = 16


def real_title(title: str | None) -> str | None:
    """Return the metadata title when it is a real one, else None."""
    if not title:
        return None
    clean = " ".join(title.split())
    if _JUNK.match(clean) or _FILE_NAME.search(clean) or is_banner(clean):
        return None
    if sum(ch.isalpha() for ch in clean) < 3:
        return None
    return clean


def is_banner(text: str) -> bool:
    """Whether ``text`` is a banner (``DISCLAIMER``, ``Confidential``), not a title."""
    key = re.sub(r"[^a-z ]+", " ", text.lower())
    return " ".join(key.split()) in _BANNERS


def title_candidate(text: str) -> bool:
    """Whether ``text`` can stand as a title.

    It is short, has no closing punctuation, and is not a banner, a date or version stamp,
    a page number, a contents entry, a caption or a numbered heading.
    """
    return (
        len(text.split()) <= _MAX_WORDS
        and sum(ch.isalpha() for ch in text) >= 3
        and not text.endswith((".", ",", ";", ":"))
        and not is_banner(text)
        and not is_metadata_line(text)
        and not is_page_number(text)
        and not is_toc_line(text)
        and not CAPTION.match(text)
        and NUMBERED.match(text) is None
        and not (PART.match(text) and not caps_candidate(text))
    )


def strip_leading_marks(title: str) -> str:
    """Drop bullets and arrows set before a title (``● Strategy Rules``)."""
    return _LEADING_MARKS.sub("", title).strip()
