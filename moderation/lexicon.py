"""The rule tier: lexicons and patterns loaded from data files.

Each language file lists, per category, weighted blocks of terms and regular
expressions; *groups* (term sets that are not harmful alone, like "child" or
"passport") that *combos* require together with a category or another group;
and *benign* contexts that are masked out before matching, so that
"breast cancer", "kill the process" or "鸡胸肉" never reach the harmful terms
they contain.

Latin terms match on word boundaries (with a plural/verb suffix on the last
word); Chinese terms match as substrings, since Chinese has no spaces.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from .categories import TEXT_CATEGORIES
from .errors import DataError
from .normalize import Normalized, views_of

DATA_DIR = Path(__file__).parent / "data"
# A word for a combination's `within`: a Latin word, or one Chinese character.
_WORD = re.compile(r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Where a sentence ends, for a combination's `sentence: true`: Chinese and Latin end marks, the
# tilde and ellipsis of chat Chinese ("的说~~"), a semicolon, a line break, and a full stop
# followed by a space or the end (so "3.5" and "st. louis" stay one sentence).
_SENTENCE_END = re.compile(r"[。！？!?；;~～…\n]|\.(?=\s|$)")
# Where a clause ends, for a context's `mentions`: the sentence ends and commas too ("拒绝霸凌海报，
# 然后画一个霸凌同学的场景" is a poster, then a request). Not a colon: it introduces what the poster
# says ("反诈宣传海报：刷单返利都是诈骗！").
# 、 lists items of one clause ("提醒学生冰毒、K粉都是毒品"), so it does not end one.
_CLAUSE_END = re.compile(r"[。！？!?；;~～…\n，,]|\.(?=\s|$)")
#: Quotes whose opening and closing marks differ, so that one left open mid-clause is unambiguous
#: (an ASCII ' is also an apostrophe).
_PAIRED_OPEN, _PAIRED_CLOSE = "“「『《", "”」』》"
_QUOTE_OPEN = "'\"‘" + _PAIRED_OPEN
_QUOTE_CLOSE = "'\"’" + _PAIRED_CLOSE


def _clauses(text: str) -> list[tuple[str, bool]]:
    """Return the clauses of ``text``, each with whether it is quoted.

    A quoted clause is a poster's slogan ("反家暴公益海报，'家暴不是家务事'", "anti-bullying
    poster, kids holding hands, 'be a buddy not a bully'"): it opens with a quote, or
    continues one that a comma split ("'想不开的时候，打个电话'", and "防诈骗海报：“陌生来电要转账，
    一律是诈骗”", where the quote opens after a colon, mid-clause).
    """
    out: list[tuple[str, bool]] = []
    open_quote = False
    for clause in _CLAUSE_END.split(text):
        stripped = clause.strip()
        starts = stripped[:1] in _QUOTE_OPEN
        quoted = open_quote or starts
        if starts:
            open_quote = True
        if open_quote and len(stripped) > 1 and stripped[-1] in _QUOTE_CLOSE:
            open_quote = False
        elif not open_quote and _opens_paired_quote(stripped):
            open_quote = True
        out.append((clause, quoted))
    return out


#: A paired quote's span, closed or left open to the next clause.
_PAIRED_SPAN = re.compile(f"[{_PAIRED_OPEN}][^{_PAIRED_CLOSE}]*(?:[{_PAIRED_CLOSE}]|$)")
#: An ASCII-quoted span, read as a quote only in Chinese text.
_ASCII_SPAN = re.compile(r"(['\"])[^'\"]*(?:\1|$)")


def _opens_paired_quote(clause: str) -> bool:
    """Return whether ``clause`` opens a paired quote that it does not close."""
    spans = _PAIRED_SPAN.findall(clause)
    return bool(spans) and spans[-1][-1] not in _PAIRED_CLOSE


def _spaces(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _outside_quotes(clause: str) -> str:
    """Return ``clause`` with what its quotes hold blanked (same length).

    A slogan quoted mid-clause ("气泡里写“您的账户涉嫌洗钱", "屏幕上显示'请转账到安全账户'") is the
    poster's, like a quoted clause.
    """
    clause = _PAIRED_SPAN.sub(_spaces, clause)
    return _ASCII_SPAN.sub(_spaces, clause) if _CJK_CHAR.search(clause) else clause


# A context named only to be refused sets no scene: "real pic, not cartoon" (round twelve, read
# on heldout-16: a burning cat was softened as a cartoon), "不是电影角色".
_NEGATION_BEFORE = re.compile(r"(?:(?<![a-z])(?:not|no|non|never|without|instead of)[\s-]{1,3}(?:a |an |the )?"
                              r"|(?:不是|不要|并非|而非|别)\s*)$")


def _affirmed(regex: re.Pattern[str], text: str) -> bool:
    """Return whether ``regex`` matches ``text`` somewhere not right after a negation."""
    return any(not _NEGATION_BEFORE.search(text, max(0, m.start() - 16), m.start()) for m in regex.finditer(text))


def _blank(m: re.Match[str]) -> str:
    """Return a benign match blanked: all of it, or only its ``blank`` group.

    A context that must stay readable names the group: blanking all of "pruning tomato
    plants, arrows showing where to cut" left "illustrated guide to", which the learned mean
    read as a self-harm how-to (0.82); blanking only "where to cut" leaves the garden.
    """
    group = next((g for g in m.re.groupindex if g.startswith("blank") and m.group(g) is not None), None)
    if group is None:
        return _spaces(m)
    whole, (start, end) = m.group(0), m.span(group)
    start, end = start - m.start(), end - m.start()
    return whole[:start] + " " * (end - start) + whole[end:]


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error.

    PyYAML keeps the last: a second ``patterns:`` in a rule block silently dropped the
    first list's patterns (round ten).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _term_regex(term: str) -> str:
    """Return the regex of one term alone (the form :func:`_compile` builds its tries to match)."""
    term = str(term).strip().casefold()
    if _CJK_CHAR.search(term):
        # Chinese: substring; allow separators left between characters to be
        # handled by the normaliser's joined view, not here.
        return re.escape(term)
    words = [re.escape(w) for w in term.split()]
    body = r"[\s\-]*".join(words)
    return rf"(?<![a-z0-9]){body}(?:s|es|ed|d|ing)?(?![a-z0-9])"


_GAP = object()  # between two words of a Latin term: any run of spaces and hyphens, or none


def _trie_regex(terms: Iterable[tuple[Any, ...]]) -> str:
    """Return one regex matching exactly the given terms (tuples of characters and ``_GAP``).

    Python's ``re`` tries the branches of an alternation one by one at every position, so a
    block of 300 terms costs 300 attempts per character (a long prompt took 10-20 ms in the
    rule tier). A trie tries one branch per distinct next character instead. The set of texts
    matched is the same as the plain alternation's; where several terms match at one place the
    longest is tried first (backtracking still finds a shorter one when the suffix and
    boundary checks need it).
    """
    root: dict[Any, Any] = {}
    end = object()
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: dict[Any, Any]) -> str:
        alts = []
        for ch in sorted((k for k in node if k is not end), key=lambda k: "" if k is _GAP else k):
            head = r"[\s\-]*" if ch is _GAP else re.escape(ch)
            alts.append(head + emit(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and end not in node else "(?:" + "|".join(alts) + ")"
        return body + "?" if end in node else body

    return emit(root)


def _compile(terms: Iterable[str], patterns: Iterable[str], where: str) -> re.Pattern[str] | None:
    """Compile terms and patterns into one regex: a word-bounded trie of the Latin terms
    (plural/verb suffix on the last word), a trie of the Chinese terms (substrings), then the patterns."""
    latin: list[tuple[Any, ...]] = []
    cjk: list[tuple[Any, ...]] = []
    for t in terms:
        term = str(t).strip().casefold()
        if not term:
            continue
        if _CJK_CHAR.search(term):
            cjk.append(tuple(term))
        else:
            chars: list[Any] = []
            for i, w in enumerate(term.split()):
                if i:
                    chars.append(_GAP)
                chars.extend(w)
            latin.append(tuple(chars))
    parts = []
    if latin:
        parts.append(rf"(?<![a-z0-9])(?:{_trie_regex(latin)})(?:s|es|ed|d|ing)?(?![a-z0-9])")
    if cjk:
        parts.append(_trie_regex(cjk))
    parts += [f"(?:{p})" for p in patterns]
    if not parts:
        return None
    try:
        return re.compile("|".join(parts))
    except re.error as exc:
        raise DataError(f"{where}: bad pattern: {exc}") from exc


@dataclass(frozen=True)
class Hit:
    """One rule that matched.

    Attributes:
        category: The category the rule scores.
        weight: The score it gives, in [0, 1].
        rule: ``lexicon:<language>:<category>`` or ``...:combo``.
        match: The text that matched (normalised), for the reason line.
    """

    category: str
    weight: float
    rule: str
    match: str


@dataclass(frozen=True)
class Scan:
    """What :meth:`Lexicon.scan` found in a text.

    Attributes:
        hits: Every rule that matched.
        groups: The groups (``minor``, ``protected``…) that matched in some view, benign
            contexts blanked: the cascade reads ``minor`` from here rather than matching again.
    """

    hits: list[Hit]
    groups: frozenset[str]


@dataclass
class _Block:
    category: str
    weight: float
    regex: re.Pattern[str]
    rule: str


@dataclass
class _Combo:
    category: str
    weight: float
    requires: list[str]  # "group:<name>" or "category:<name>"
    rule: str
    within: int | None = None  # words: every requirement must match this close to the others
    min_weight: float = 0.0  # a `category:` requirement counts only rule blocks of at least this weight
    sentence: bool = False  # every requirement must match in the same sentence
    none: list[str] = field(default_factory=list)  # groups whose match anywhere in the text cancels it


@dataclass
class _Context:
    categories: frozenset[str]
    factor: float
    regex: re.Pattern[str]
    # When set, the context softens a category only if every rule match in it is one of these
    # mentions: an awareness poster names "suicide", but "cutting her wrists" beside it is a depiction.
    mentions: re.Pattern[str] | None = None


@dataclass
class Lexicon:
    """All lexicons, merged; match with :meth:`scan`."""

    blocks: list[_Block] = field(default_factory=list)
    groups: dict[str, re.Pattern[str]] = field(default_factory=dict)
    combos: list[_Combo] = field(default_factory=list)
    benign: list[re.Pattern[str]] = field(default_factory=list)
    contexts: list[_Context] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path | None = None) -> "Lexicon":
        """Load every ``*.yaml`` lexicon in a directory.

        Raises:
            DataError: A file is malformed or names an unknown category.
        """
        directory = directory or DATA_DIR / "lexicon"
        lex = cls()
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise DataError(f"no lexicon files in {directory}")
        for path in files:
            lex._add_file(path)
        for combo in lex.combos:
            # Groups merge across files, so a combination's groups are checked once all are read:
            # a misspelt name would otherwise never match (and a `none` never cancel).
            missing = [r for r in combo.requires + combo.none if r.startswith("group:") and r[6:] not in lex.groups]
            if missing:
                raise DataError(f"{combo.rule}: unknown group(s) {', '.join(missing)}")
        return lex

    def _add_file(self, path: Path) -> None:
        try:
            raw: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except (OSError, yaml.YAMLError) as exc:
            raise DataError(f"cannot read lexicon {path}: {exc}") from exc
        lang = raw.get("language") or path.stem
        self.languages.append(lang)
        group_terms: dict[str, list[str]] = {}
        for name, terms in (raw.get("groups") or {}).items():
            group_terms[name] = [str(t) for t in terms]
        # Groups of the same name across languages are merged (the English and
        # Chinese words for "child" belong to one group).
        for name, terms in group_terms.items():
            old = self.groups.get(name)
            pats = [old.pattern] if old is not None else []
            new = _compile(terms, [], f"{path}:groups.{name}")
            if new is not None:
                pats.append(new.pattern)
            self.groups[name] = re.compile("|".join(pats))
        for cat, blocks in (raw.get("categories") or {}).items():
            if cat not in TEXT_CATEGORIES:
                raise DataError(f"{path}: unknown category {cat!r}")
            for i, block in enumerate(blocks):
                weight = float(block.get("weight", 1.0))
                regex = _compile(block.get("terms") or [], block.get("patterns") or [], f"{path}:{cat}[{i}]")
                if regex is not None:
                    self.blocks.append(_Block(cat, weight, regex, f"lexicon:{lang}:{cat}"))
        for i, combo in enumerate(raw.get("combos") or []):
            cat = combo.get("category")
            if cat not in TEXT_CATEGORIES:
                raise DataError(f"{path}: combos[{i}]: unknown category {cat!r}")
            requires = list(combo.get("all") or [])
            for req in requires:
                kind, _, name = str(req).partition(":")
                if kind not in ("group", "category") or (kind == "category" and name not in TEXT_CATEGORIES):
                    raise DataError(f"{path}: combos[{i}]: bad requirement {req!r}")
            within = combo.get("within")
            if within is not None and (not isinstance(within, int) or isinstance(within, bool) or within < 1):
                raise DataError(f"{path}: combos[{i}]: within must be a positive number of words")
            min_weight = combo.get("min_weight", 0.0)
            if isinstance(min_weight, bool) or not isinstance(min_weight, (int, float)) or not 0 <= min_weight <= 1:
                raise DataError(f"{path}: combos[{i}]: min_weight must be a number in [0, 1]")
            sentence = combo.get("sentence", False)
            if not isinstance(sentence, bool):
                raise DataError(f"{path}: combos[{i}]: sentence must be true or false")
            none = [str(n) for n in combo.get("none") or []]
            if any(not n.startswith("group:") for n in none):
                raise DataError(f"{path}: combos[{i}]: none lists groups (group:<name>)")
            self.combos.append(_Combo(cat, float(combo.get("weight", 1.0)), requires, f"lexicon:{lang}:{cat}:combo",
                                      within, float(min_weight), sentence, none))
        for i, ctx in enumerate(raw.get("contexts") or []):
            cats = frozenset(ctx.get("categories") or [])
            if not cats or not cats <= set(TEXT_CATEGORIES):
                raise DataError(f"{path}: contexts[{i}]: categories must be known text categories")
            regex = _compile(ctx.get("terms") or [], ctx.get("patterns") or [], f"{path}:contexts[{i}]")
            mentions = None
            if "mentions" in ctx:
                mentions = _compile(ctx.get("mentions") or [], [], f"{path}:contexts[{i}].mentions")
                if mentions is None:
                    raise DataError(f"{path}: contexts[{i}]: mentions, when given, must list terms")
            if regex is not None:
                self.contexts.append(_Context(cats, float(ctx.get("factor", 0.5)), regex, mentions))
        benign = raw.get("benign") or {}
        # One alternation may not name a group twice: each pattern's `blank` group is numbered.
        patterns = [p.replace("(?P<blank>", f"(?P<blank{i}>") for i, p in enumerate(benign.get("patterns") or [])]
        regex = _compile(benign.get("terms") or [], patterns, f"{path}:benign")
        if regex is not None:
            self.benign.append(regex)

    def mask_benign(self, text: str) -> str:
        """Return the text with benign contexts blanked out (only a pattern's ``blank`` group, if it has one)."""
        for regex in self.benign:
            text = regex.sub(_blank, text)
        return text

    def scan(self, norm: Normalized) -> Scan:
        """Return every rule hit, and the groups seen, across the views of a normalised text."""
        hits: dict[tuple[str, str], Hit] = {}
        groups_seen: set[str] = set()
        masked_views = [self.mask_benign(view) for view in norm.views]
        for masked in masked_views:
            for block in self.blocks:
                m = block.regex.search(masked)
                if m:
                    key = (block.category, block.rule)
                    if key not in hits or hits[key].weight < block.weight:
                        hits[key] = Hit(block.category, block.weight, block.rule, m.group(0).strip())
            for name, regex in self.groups.items():
                if name not in groups_seen and regex.search(masked):
                    groups_seen.add(name)
        # Fiction, games and history soften (not erase) the categories they
        # name: "a knight killing a dragon in a video game" is not a threat.
        for ctx in self.contexts:
            # Only a hit in the context's categories can be softened: look for the context then.
            softenable = [key for key, h in hits.items() if h.category in ctx.categories]
            if softenable and any(_affirmed(ctx.regex, v) for v in norm.views):
                for key in softenable:
                    h = hits[key]
                    if ctx.mentions is None or self._mentions_only(ctx, key, masked_views, norm):
                        hits[key] = Hit(h.category, h.weight * ctx.factor, h.rule + ":in-context", h.match)
        for combo in self.combos:
            cats_seen = {h.category for h in hits.values() if h.weight >= combo.min_weight}
            ok = not any(n.partition(":")[2] in groups_seen for n in combo.none)
            for req in combo.requires if ok else ():
                kind, _, name = req.partition(":")
                if (kind == "group" and name not in groups_seen) or (kind == "category" and name not in cats_seen):
                    ok = False
                    break
            if ok and combo.sentence:
                # One sentence of the text as written, in each of its views: joining separated
                # characters ("性 感") must not also join across a sentence end ("性感的说~~…孩子").
                ok = any(self._close(self.mask_benign(view), combo)
                         for sent in _SENTENCE_END.split(norm.text) if sent.strip()
                         for view in views_of(sent, norm.has_cjk))
            elif ok and combo.within is not None:
                ok = any(self._close(masked, combo) for masked in masked_views)
            if ok:
                key = (combo.category, combo.rule)
                if key not in hits or hits[key].weight < combo.weight:
                    hits[key] = Hit(combo.category, combo.weight, combo.rule, " + ".join(combo.requires))
        return Scan(list(hits.values()), frozenset(groups_seen))

    def _mentions_only(self, ctx: _Context, key: tuple[str, str], masked_views: list[str], norm: Normalized) -> bool:
        """Return whether every match of a rule is one of the context's bare mentions, each in a clause that has the context.

        An awareness poster beside a request in another clause ("反诈漫画？不，教我写杀猪盘话术")
        softens nothing; a quoted slogan counts as part of the poster the context names. Runs
        only when such a context matched a prompt that hit the rule, so the scan's hot path
        never pays for it.
        """
        assert ctx.mentions is not None
        blocks = [b for b in self.blocks if (b.category, b.rule) == key]
        if not all(ctx.mentions.fullmatch(m.group(0).strip())
                   for b in blocks for v in masked_views for m in b.regex.finditer(v)):
            return False
        for clause, quoted in _clauses(norm.text):
            if quoted:
                continue  # a slogan: the context word elsewhere in the prompt (on the poster) covers it
            outside = _outside_quotes(clause)
            masked = [self.mask_benign(v) for v in views_of(outside, norm.has_cjk)] if outside.strip() else []
            # The context word may sit in the clause's own quote ("《全民反诈》海报：谨防洗钱").
            views = views_of(clause, norm.has_cjk) if clause.strip() else []
            if any(b.regex.search(v) for b in blocks for v in masked) and not any(ctx.regex.search(v) for v in views):
                return False
        return True

    def _positions(self, text: str, requirement: str, starts: list[int], min_weight: float = 0.0) -> list[int]:
        kind, _, name = requirement.partition(":")
        regexes = ([self.groups[name]] if kind == "group"
                   else [b.regex for b in self.blocks if b.category == name and b.weight >= min_weight])
        return [bisect.bisect_right(starts, m.start()) for regex in regexes for m in regex.finditer(text)]

    def _close(self, text: str, combo: _Combo) -> bool:
        """Return whether one match of every requirement lies within ``combo.within`` words of one of the first's.

        A child named in one sentence and a sexual word in another of a long
        comment are not one request; a combination that can suspend an account
        must be one phrase. Words are Latin words or single Chinese characters
        (groups are shared across languages, so either file's combinations see
        both scripts). Only runs when every requirement already matched.
        """
        starts = [m.start() for m in _WORD.finditer(text)]
        first, *rest = [self._positions(text, req, starts, combo.min_weight) for req in combo.requires]
        if not first or not all(rest):
            return False
        within = combo.within if combo.within is not None else len(starts) + 1
        return any(all(any(abs(a - b) <= within for b in spans) for spans in rest) for a in first)
