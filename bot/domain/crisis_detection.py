"""Say whether a piece of text may signal crisis, from a conservative phrase list.

Pure: standard library only. The phrase list lives in ``data/crisis_phrases.yaml``; the
loader parses the YAML and :func:`parse_phrase_set` turns it into a :class:`PhraseSet`.

What it does, and nothing more:

* folds text (NFKC, case, accents on Latin letters, apostrophes inside words);
* ignores quoted text (``> `` lines, ``>>>`` blocks, text in double quotes) and code;
* matches phrases token by token at word boundaries, tolerating leetspeak (``k1ll``),
  repeated letters (``killlll``), repeated words, and spaces or punctuation between and
  inside words (``kill. my. self``);
* drops a match when a negation of the phrase's language comes just before it, with only
  "bridge" words in between ("I'm not going to kill myself");
* drops a match when the words right before or after it make it an idiom
  (``unless_before`` / ``unless_after`` in the data: "kill myself laughing").

It does not guess sentiment, and it never stores or logs the text it reads.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from bot.domain.schema import SchemaChecker, describe_value

__all__ = [
    "MAX_TEXT_CHARS",
    "CrisisMatch",
    "LanguageRules",
    "Phrase",
    "PhraseSet",
    "PhraseSetError",
    "TokenPattern",
    "find_crisis_phrase",
    "may_signal_crisis",
    "parse_phrase_set",
    "remove_quoted_text",
]

MAX_TEXT_CHARS = 8_000
"""Only this many characters are read (twice Discord's longest message or modal field)."""


class PhraseSetError(ValueError):
    """The phrase list does not match its schema; each problem names the entry."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


# --- Folding -------------------------------------------------------------------------------

# Leetspeak and look-alike characters each letter may be written with.
_LEET: Mapping[str, str] = MappingProxyType(
    {"a": "4@", "b": "8", "e": "3", "g": "9", "i": "1!", "l": "1", "o": "0", "s": "5$", "t": "7"}
)
_LEET_FOLD = str.maketrans({"4": "a", "@": "a", "8": "b", "3": "e", "9": "g", "1": "i", "!": "i"})
_LEET_FOLD_REST = str.maketrans({"0": "o", "5": "s", "$": "s", "7": "t"})
_REPEATS = re.compile(r"(.)\1+")
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W_])['’ʼ](?=[^\W_])")


def _strip_latin_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (
        ch
        for ch in decomposed
        if not (unicodedata.category(ch) == "Mn" and 0x0300 <= ord(ch) <= 0x036F)
    )
    return unicodedata.normalize("NFC", "".join(kept))


def _fold(text: str) -> str:
    """Fold case, compatibility forms, Latin accents and apostrophes inside words."""
    folded = _strip_latin_accents(unicodedata.normalize("NFKC", text).casefold())
    return _INNER_APOSTROPHE.sub("", folded)


def _canonical(token: str) -> str:
    """Return a token with leetspeak undone and repeated letters squeezed, to compare words."""
    return _REPEATS.sub(r"\1", token.translate(_LEET_FOLD).translate(_LEET_FOLD_REST))


# --- Quotes and code -----------------------------------------------------------------------

_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"``[^\n]+?``|`[^`\n]+`")
_QUOTE_REST = re.compile(r"^[ \t]*>>>(?:[ \t].*|$)", re.MULTILINE | re.DOTALL)
_QUOTE_LINE = re.compile(r"^[ \t]*>{1,2}(?:[ \t].*)?$", re.MULTILINE)
_DOUBLE_QUOTED = re.compile(
    r"„[^“”„\n]{0,1000}[“”]"  # German low-high quotes
    r"|“[^“”\n]{0,1000}”"  # English curly quotes
    r"|«[^«»]{0,1000}»"  # French guillemets
    r"|»[^«»]{0,1000}«"  # German guillemets
    r'|"[^"]{0,1000}"'  # straight quotes (NFKC turns ＂ into ")
)
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)[^>\s]*>|https?://\S+")


def remove_quoted_text(text: str) -> str:
    """Return the text without code, quoted lines and double-quoted spans."""
    text = _CODE_BLOCK.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _QUOTE_REST.sub(" ", text)
    text = _QUOTE_LINE.sub(" ", text)
    text = _DOUBLE_QUOTED.sub(" ", text)
    return _DISCORD_MARKUP.sub(" ", text)


# --- Tokens --------------------------------------------------------------------------------

_WORDISH = r"(?:[^\W_]|[@$])"
_TEXT_TOKENS = re.compile(
    rf"(?P<word>{_WORDISH}+(?:!+{_WORDISH}+)*)|(?P<stop>[.,;:!?…\n()\[\]—–]+)"
)


@dataclass(frozen=True, slots=True)
class _Tokens:
    words: tuple[str, ...]
    clause_start: tuple[bool, ...]  # a sentence or clause break comes right before the word
    joined: str  # the words joined by single spaces, which phrase patterns run over
    starts: tuple[int, ...]  # where each word starts in `joined`


def _tokenise(text: str) -> _Tokens:
    words: list[str] = []
    breaks: list[bool] = []
    seen_break = True
    for match in _TEXT_TOKENS.finditer(text):
        if match.group("word") is None:
            seen_break = True
            continue
        # Squeeze repeated characters ("killlll" -> "kil"); patterns are squeezed the same way.
        word = _REPEATS.sub(r"\1", match.group("word"))
        if words and _canonical(word) == _canonical(words[-1]):
            # Repeated words ("want want to die") read as one.
            continue
        words.append(word)
        breaks.append(seen_break)
        seen_break = False
    starts: list[int] = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    return _Tokens(tuple(words), tuple(breaks), " ".join(words), tuple(starts))


# --- Patterns ------------------------------------------------------------------------------

_ALTERNATIVE = re.compile(r"[^\W_]+\*?")


def _char_class(ch: str) -> str:
    extra = _LEET.get(ch, "")
    if not extra:
        return re.escape(ch)
    return "[" + "".join(re.escape(c) for c in ch + extra) + "]"


def _alternative_regex(alternative: str, *, spaced: bool) -> str:
    prefix = alternative.endswith("*")
    letters = _REPEATS.sub(r"\1", alternative.rstrip("*"))
    joiner = " ?" if spaced else ""
    # Text words arrive with repeated characters squeezed, so a letter is at most a short mix
    # of look-alikes ("i1" in "ki1l"); the bound keeps matching linear on hostile input.
    body = joiner.join(f"{_char_class(ch)}{{1,3}}" for ch in letters)
    if prefix:
        body += "[^ ]*"
    return body


@lru_cache(maxsize=4096)
def _word_regex(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(_alternative_regex(alt, spaced=False) for alt in alternatives)
    return re.compile(f"(?:{body})")


@dataclass(frozen=True, slots=True)
class TokenPattern:
    """One word of a phrase: alternatives (``a|b``), each maybe a prefix (``suicid*``)."""

    alternatives: tuple[str, ...]
    optional: bool = False

    def regex(self) -> str:
        """Return the pattern's regex over joined words, tolerating spaces inside the word."""
        return "(?:" + "|".join(_alternative_regex(a, spaced=True) for a in self.alternatives) + ")"

    def matches(self, word: str) -> bool:
        """Return whether a single word of text matches this pattern."""
        return _word_regex(self.alternatives).fullmatch(word) is not None


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase that may signal crisis, in one language, with the idioms that cancel it."""

    id: str
    language: str
    tokens: tuple[TokenPattern, ...]
    unless_before: tuple[tuple[TokenPattern, ...], ...] = ()
    unless_after: tuple[tuple[TokenPattern, ...], ...] = ()
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts: list[str] = []
        for i, token in enumerate(self.tokens):
            if token.optional:
                parts.append(f"(?:{token.regex()} ?)?")
            elif i == len(self.tokens) - 1:
                parts.append(token.regex())
            else:
                parts.append(f"{token.regex()} ?")
        object.__setattr__(self, "_regex", re.compile(r"(?<![^ ])" + "".join(parts) + r"(?![^ ])"))

    def spans(self, joined: str) -> list[tuple[int, int]]:
        """Return the character spans where the phrase occurs in joined words."""
        return [match.span() for match in self._regex.finditer(joined)]


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """The words that negate a phrase in one language, and the words that may stand between."""

    code: str
    negations: TokenPattern
    bridges: TokenPattern


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """A parsed phrase list: phrases in several languages and their negation rules."""

    phrases: tuple[Phrase, ...]
    languages: Mapping[str, LanguageRules]
    negation_reach: int = 3


@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """Which phrase matched (never the member's text)."""

    phrase_id: str
    language: str


# --- Matching ------------------------------------------------------------------------------


def _sequence_at(words: Sequence[str], start: int, sequence: Sequence[TokenPattern]) -> bool:
    if start < 0 or start + len(sequence) > len(words):
        return False
    return all(token.matches(words[start + i]) for i, token in enumerate(sequence))


def _negated(tokens: _Tokens, first: int, rules: LanguageRules | None, reach: int) -> bool:
    """Return whether a negation stands before word `first`, with only bridges between."""
    if rules is None:
        return False
    bridged = 0
    i = first - 1
    while i >= 0 and not tokens.clause_start[i + 1]:
        word = tokens.words[i]
        if rules.negations.matches(word):
            return True
        if bridged >= reach or not rules.bridges.matches(word):
            return False
        bridged += 1
        i -= 1
    return False


def _phrase_holds(phrase: Phrase, tokens: _Tokens, phrases: PhraseSet) -> bool:
    rules = phrases.languages.get(phrase.language)
    for begin, end in phrase.spans(tokens.joined):
        first = bisect_right(tokens.starts, begin) - 1
        last = bisect_right(tokens.starts, end - 1) - 1
        if any(_sequence_at(tokens.words, first - len(seq), seq) for seq in phrase.unless_before):
            continue
        if any(_sequence_at(tokens.words, last + 1, seq) for seq in phrase.unless_after):
            continue
        if _negated(tokens, first, rules, phrases.negation_reach):
            continue
        return True
    return False


def find_crisis_phrase(text: str, phrases: PhraseSet) -> CrisisMatch | None:
    """Return the first phrase that matches the text outside quotes and code, if any."""
    visible = remove_quoted_text(unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]))
    tokens = _tokenise(_fold(visible))
    if not tokens.words:
        return None
    for phrase in phrases.phrases:
        if _phrase_holds(phrase, tokens, phrases):
            return CrisisMatch(phrase.id, phrase.language)
    return None


def may_signal_crisis(text: str, phrases: PhraseSet) -> bool:
    """Return whether the text contains a crisis phrase that is not negated, quoted or code."""
    return find_crisis_phrase(text, phrases) is not None


# --- Parsing -------------------------------------------------------------------------------

_PHRASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)?")
_TOP_KEYS = frozenset({"version", "negation_reach", "languages"})
_LANGUAGE_KEYS = frozenset({"name", "negations", "bridges", "phrases"})
_PHRASE_KEYS = frozenset({"id", "tokens", "unless_before", "unless_after"})


def _describe(value: object) -> str:
    return describe_value(value, quoting_hints=True)


class _Checker(SchemaChecker):
    """Schema checks for the crisis phrase file."""

    def token(self, raw: object, where: str, *, may_be_optional: bool) -> TokenPattern | None:
        if not isinstance(raw, str):
            self.add(where, f"must be a string, got {_describe(raw)}")
            return None
        optional = raw.endswith("?")
        if optional and not may_be_optional:
            self.add(where, f"{raw!r} cannot be optional here")
            return None
        alternatives = tuple(_fold(alt.strip()) for alt in raw.removesuffix("?").split("|"))
        bad = [alt for alt in alternatives if not _ALTERNATIVE.fullmatch(alt)]
        if bad:
            self.add(
                where,
                f"{raw!r}: each alternative must be letters or digits, optionally ending in *",
            )
            return None
        return TokenPattern(tuple(dict.fromkeys(alternatives)), optional=optional)

    def sequence(
        self, raw: object, where: str, *, optional_inside: bool
    ) -> tuple[TokenPattern, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.add(where, f"must be a non-empty list of words, got {_describe(raw)}")
            return None
        tokens = [
            self.token(
                item, f"{where}[{i}]", may_be_optional=optional_inside and 0 < i < len(raw) - 1
            )
            for i, item in enumerate(raw)
        ]
        if any(token is None for token in tokens):
            return None
        return tuple(token for token in tokens if token is not None)

    def word_list(self, raw: Mapping[object, object], key: str, where: str) -> TokenPattern | None:
        value = raw.get(key)
        if not isinstance(value, list) or not value:
            self.add(where, f"{key!r} must be a non-empty list of words, got {_describe(value)}")
            return None
        tokens = [
            self.token(item, f"{where} {key}[{i}]", may_be_optional=False)
            for i, item in enumerate(value)
        ]
        if any(token is None for token in tokens):
            return None
        alternatives = (alt for token in tokens if token is not None for alt in token.alternatives)
        return TokenPattern(tuple(dict.fromkeys(alternatives)))


def _parse_phrase(
    raw: object, language: str, where: str, chk: _Checker, seen: dict[str, str]
) -> Phrase | None:
    if not isinstance(raw, dict):
        chk.add(where, f"must be a mapping with 'id' and 'tokens', got {_describe(raw)}")
        return None
    phrase_id = raw.get("id")
    if isinstance(phrase_id, str) and _PHRASE_ID.fullmatch(phrase_id):
        where = f"{where} ({phrase_id})"
        if phrase_id in seen:
            chk.add(where, f"id is also used at {seen[phrase_id]}")
        seen.setdefault(phrase_id, where)
    else:
        chk.add(where, f"'id' must be lower-case words joined by '-', got {phrase_id!r}")
    before = len(chk.problems)
    chk.keys(raw, _PHRASE_KEYS, where)
    tokens = chk.sequence(raw.get("tokens"), f"{where} tokens", optional_inside=True)
    unless: dict[str, list[tuple[TokenPattern, ...]]] = {"unless_before": [], "unless_after": []}
    for key, found in unless.items():
        value = raw.get(key, [])
        if not isinstance(value, list):
            chk.add(where, f"{key!r} must be a list of word lists, got {_describe(value)}")
            continue
        for i, item in enumerate(value):
            sequence = chk.sequence(item, f"{where} {key}[{i}]", optional_inside=False)
            if sequence is not None:
                found.append(sequence)
    if len(chk.problems) > before or tokens is None or not isinstance(phrase_id, str):
        return None
    return Phrase(
        id=phrase_id,
        language=language,
        tokens=tokens,
        unless_before=tuple(unless["unless_before"]),
        unless_after=tuple(unless["unless_after"]),
    )


def _negation_reach(raw: Mapping[str, Any], chk: _Checker) -> int:
    reach = raw.get("negation_reach", 3)
    if not isinstance(reach, int) or isinstance(reach, bool) or not 0 <= reach <= 6:
        chk.add("top level", f"'negation_reach' must be a whole number 0-6, got {reach!r}")
        return 3
    return reach


def _parse_language(
    code: object,
    raw_rules: object,
    chk: _Checker,
    seen: dict[str, str],
    languages: dict[str, LanguageRules],
) -> list[Phrase]:
    """Check one language's rules (added to `languages`) and return its phrases."""
    where = f"languages.{code}"
    if not isinstance(code, str) or not _LANGUAGE.fullmatch(code):
        chk.add(where, "language codes must be lower-case ISO 639 codes such as 'en'")
        return []
    if not isinstance(raw_rules, dict):
        chk.add(where, f"must be a mapping, got {_describe(raw_rules)}")
        return []
    chk.keys(raw_rules, _LANGUAGE_KEYS, where)
    negations = chk.word_list(raw_rules, "negations", where)
    bridges = chk.word_list(raw_rules, "bridges", where)
    if negations is not None and bridges is not None:
        languages[code] = LanguageRules(code, negations, bridges)
    raw_phrases = raw_rules.get("phrases")
    if not isinstance(raw_phrases, list) or not raw_phrases:
        chk.add(where, f"'phrases' must be a non-empty list, got {_describe(raw_phrases)}")
        return []
    parsed = (
        _parse_phrase(raw_phrase, code, f"{where}.phrases[{i}]", chk, seen)
        for i, raw_phrase in enumerate(raw_phrases)
    )
    return [phrase for phrase in parsed if phrase is not None]


def parse_phrase_set(raw: object, *, origin: str = "crisis_phrases.yaml") -> PhraseSet:
    """Check the parsed phrase list and build a PhraseSet, or raise PhraseSetError."""
    chk = _Checker(origin)
    if not isinstance(raw, dict):
        chk.add("top level", f"must be a mapping, got {_describe(raw)}")
        raise PhraseSetError(chk.problems)
    chk.keys(raw, _TOP_KEYS, "top level")
    if raw.get("version") != 1:
        chk.add("top level", f"'version' must be 1, got {raw.get('version')!r}")
    reach = _negation_reach(raw, chk)
    raw_languages = raw.get("languages")
    if not isinstance(raw_languages, dict) or not raw_languages:
        chk.add("top level", "'languages' must map language codes to their rules")
        raise PhraseSetError(chk.problems)
    phrases: list[Phrase] = []
    languages: dict[str, LanguageRules] = {}
    seen: dict[str, str] = {}
    for code, raw_rules in raw_languages.items():
        phrases += _parse_language(code, raw_rules, chk, seen, languages)
    if chk.problems:
        raise PhraseSetError(chk.problems)
    return PhraseSet(tuple(phrases), MappingProxyType(languages), reach)
