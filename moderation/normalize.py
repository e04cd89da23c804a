"""Text normalisation that undoes the usual evasions before any rule runs.

Order matters: NFKC first (full-width and compatibility forms become plain
ASCII), then invisible and combining characters go, then case-folding,
homoglyphs and traditional Chinese. The result is a few *views* of the same
text; the lexicon is matched against each, so that mapping leetspeak in one view
cannot break an innocent number ("4k", "1990s") in another.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Cyrillic and Greek letters that render like Latin ones. Hand-written because
# the usual confusables tables are not among the pinned dependencies, and only
# the letters that occur in English words matter here.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
        "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s",
        "т": "t", "у": "y", "х": "x", "ԝ": "w", "ь": "b", "п": "n", "г": "r",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ѵ": "v", "ɡ": "g", "ɑ": "a", "ı": "i",
        "ℓ": "l", "ø": "o", "ս": "u", "օ": "o", "ո": "n", "հ": "h", "ց": "g", "ɩ": "i", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d", "þ": "p", "ł": "l",
    }
)

# Leetspeak, applied only inside tokens that mix letters with these symbols.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                       "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"})
_LEET_TOKEN = re.compile(r"[\w@$!|+€]*[a-z][\w@$!|+€]*")
_HAS_LEET = re.compile(r"[0-9@$!|+€]")

# Letters written one at a time with separators: "n u d e", "n.u.d.e", "n-u-d-e", "n_u_d_e".
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][\s.\-_*·,/\\|]+){2,}[a-z0-9@$](?![a-z0-9])")
_SEPARATORS = re.compile(r"[\s.\-_*·,/\\|]+")

# Chinese characters split by spaces or punctuation: "裸 体", "裸.体", "色*情".
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_SPLIT = re.compile(rf"(?<=[{_CJK}])[^{_CJK}a-z0-9]+(?=[{_CJK}])")
_HAS_CJK = re.compile(rf"[{_CJK}]")
# Bracketed emoticon tags (Weibo, Zhihu, Tieba: "[爱]", "[哈哈]", "[doge]", "[为难]"): each is one
# picture, not letters of a word. Joining separated characters must not run across a tag, or
# "太喜欢了[爱][爱]" reads as the sexual slang "爱爱". A tag's own text is still matched ("[裸体]"
# contains 裸体 in every view); only the join between a tag and its neighbours is refused.
EMOTICON_TAG = re.compile(r"\[[^\[\]\s]{1,8}\]")

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalized:
    """The views of one text that the rules are matched against.

    Attributes:
        text: NFKC, invisible/combining marks removed, case-folded, homoglyphs
            mapped, traditional Chinese turned simplified, whitespace collapsed.
        views: ``text`` plus variants (leetspeak mapped, separated letters
            joined, separators between Chinese characters removed); duplicates
            dropped, ``text`` first.
        has_cjk: Whether the text contains Chinese characters.
    """

    text: str
    views: tuple[str, ...]
    has_cjk: bool


@lru_cache(maxsize=1)
def _t2s():
    # opencc-python-reimplemented is pure Python and its t2s tables load in ~50 ms:
    # build the converter once per process.
    import opencc

    return opencc.OpenCC("t2s")


def _strip_invisible(text: str) -> str:
    # Drop format characters (zero-width space/joiner, BOM, bidi controls, soft
    # hyphen) and combining marks (Zalgo, accents used to break words).
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return unicodedata.normalize("NFC", kept)


def _map_leet(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        return tok.translate(_LEET) if _HAS_LEET.search(tok) else tok

    return _LEET_TOKEN.sub(repl, text)


def _join_spaced(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        # "a n u d e" is the article "a" then a spelled word, not "anude".
        head = re.match(r"[ai] ", run)
        if head and len(_SEPARATORS.sub("", run)) > 3:
            return run[:2] + _SEPARATORS.sub("", run[2:])
        return _SEPARATORS.sub("", run)

    return _SPACED.sub(repl, text)


def _join_cjk(text: str) -> str:
    """Remove separators between Chinese characters, except around emoticon tags (kept whole)."""
    out, pos = [], 0
    for m in EMOTICON_TAG.finditer(text):
        out.append(_CJK_SPLIT.sub("", text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_CJK_SPLIT.sub("", text[pos:]))
    return "".join(out)


def normalize(text: str) -> Normalized:
    """Return the normalised views of a text.

    Args:
        text: Any Unicode string.

    Returns:
        The views to match rules against; see :class:`Normalized`.
    """
    t = unicodedata.normalize("NFKC", text)
    t = _strip_invisible(t)
    t = t.casefold().translate(_HOMOGLYPHS)
    has_cjk = bool(_HAS_CJK.search(t))
    if has_cjk:
        t = _t2s().convert(t)
    t = _WS.sub(" ", t).strip()

    return Normalized(text=t, views=views_of(t, has_cjk), has_cjk=has_cjk)


def views_of(t: str, has_cjk: bool | None = None) -> tuple[str, ...]:
    """Return the views of an already normalised text (``t`` first, duplicates dropped)."""
    if has_cjk is None:
        has_cjk = bool(_HAS_CJK.search(t))
    views = [t]
    leet = _map_leet(t)
    views.append(leet)
    views.append(_join_spaced(t))
    views.append(_join_spaced(leet))
    if has_cjk:
        views.append(_join_cjk(t))
    seen: dict[str, None] = {}
    for v in views:
        seen.setdefault(v, None)
    return tuple(seen)
