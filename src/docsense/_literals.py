"""Literal prefilters for regular expressions: a cheap test that a pattern cannot match.

Scanning a text with a case-insensitive pattern costs a regular-expression attempt at every
character; looking for a few words with ``in`` costs a fraction of that. When every match of
a pattern contains one of some words, a text that contains none of them has no match, and
the scan can be skipped without changing any result: :func:`mentions` on :func:`folded`
text (or, for a case-sensitive pattern, on the text itself).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["folded", "mentions"]

# Characters that a case-insensitive pattern matches to an ASCII letter other than their
# lower case: dotless i (U+0131) and dotted capital I (U+0130) match "i", long s (U+017F)
# matches "s". The lower case of U+0130 is two characters, "i" and U+0307.
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s"})


def folded(text: str) -> str:
    r"""Return ``text`` in lower case, for literal prefilters of case-insensitive patterns.

    Wherever an ``re.IGNORECASE`` pattern matches an ASCII letter, the folded text has that
    letter in lower case. So if every match of a pattern contains one of some lower-case
    ASCII words, a text whose folded form contains none of them has no match
    (:func:`mentions`), and the pattern need not be run. The folded text is as long as
    ``text``, character for character, and a character is a word character (``\w``) in
    both or in neither.
    """
    low = text.lower()
    if low.isascii() or not ("\u0131" in low or "\u017f" in low or "\u0307" in low):
        return low  # U+0307 is in the lower case of U+0130 (and, rarely, in text itself)
    return text.replace("\u0130", "i").lower().translate(_FOLD)


def mentions(folded_text: str, words: Iterable[str]) -> bool:
    """Return True if ``folded_text`` (see :func:`folded`) contains any of ``words``."""
    for word in words:  # noqa: SIM110 (a loop, not any(): it runs per unit and per check)
        if word in folded_text:
            return True
    return False
