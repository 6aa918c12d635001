"""Unit tests for crisis phrase detection and the phrase-list parser."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.crisis_detection import (
    MAX_TEXT_CHARS,
    CrisisMatch,
    PhraseSet,
    PhraseSetError,
    find_crisis_phrase,
    may_signal_crisis,
    parse_phrase_set,
    remove_quoted_text,
)
from bot.domain.helplines_loader import load_crisis_phrases

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT / "data" / "crisis_phrases.yaml"
EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "crisis_examples.yaml"

EXAMPLES: list[dict[str, Any]] = yaml.load(
    EXAMPLES_FILE.read_text(encoding="utf-8"), Loader=SafeLoader
)["examples"]
POSITIVES = [example["text"] for example in EXAMPLES if example["crisis"]]
NEGATIVES = [example["text"] for example in EXAMPLES if not example["crisis"]]


@pytest.fixture(scope="module")
def phrases() -> PhraseSet:
    """Return the shipped phrase list, loaded the way the bot loads it."""
    return load_crisis_phrases(PHRASES)


# --- The labelled set ----------------------------------------------------------------------


def test_labelled_set_is_large_and_balanced() -> None:
    """The labelled set has at least 60 positives and 60 negatives, with unique ids."""
    assert len(POSITIVES) >= 60
    assert len(NEGATIVES) >= 60
    ids = [example["id"] for example in EXAMPLES]
    assert len(ids) == len(set(ids))


def test_labelled_set_covers_each_language_both_ways() -> None:
    """English, Spanish, French, German and Portuguese each have positives and negatives."""
    counts = Counter((example["lang"], example["crisis"]) for example in EXAMPLES)
    for language in ("en", "es", "fr", "de", "pt"):
        assert counts[language, True] >= 8, language
        assert counts[language, False] >= 8, language


@pytest.mark.parametrize(
    ("text", "crisis"),
    [pytest.param(example["text"], example["crisis"], id=example["id"]) for example in EXAMPLES],
)
def test_labelled_example(phrases: PhraseSet, text: str, crisis: bool) -> None:
    """Each labelled example is flagged exactly when it is labelled crisis."""
    match = find_crisis_phrase(text, phrases)
    assert (match is not None) is crisis, match


# --- Behaviour -----------------------------------------------------------------------------


def test_match_names_the_phrase_not_the_text(phrases: PhraseSet) -> None:
    """The match carries the phrase id and language only, never the member's words."""
    assert find_crisis_phrase("honestly I want to die", phrases) == CrisisMatch(
        phrase_id="en-want-to-die", language="en"
    )


def test_phrase_ids_are_unique_and_prefixed_by_language(phrases: PhraseSet) -> None:
    """Every phrase id is unique and starts with its language code."""
    ids = [phrase.id for phrase in phrases.phrases]
    assert len(ids) == len(set(ids))
    assert all(phrase.id.startswith(f"{phrase.language}-") for phrase in phrases.phrases)


def test_text_beyond_the_limit_is_not_read(phrases: PhraseSet) -> None:
    """Only the first MAX_TEXT_CHARS characters are read, which bounds the work."""
    assert may_signal_crisis("a " * 100 + "I want to die", phrases)
    assert not may_signal_crisis("a" * MAX_TEXT_CHARS + " I want to die", phrases)


@pytest.mark.parametrize(
    "hostile",
    ["1" * MAX_TEXT_CHARS, "i1" * 4000, " ".join(["i1l"] * 2500), '"' * 4000 + ">" * 4000],
)
def test_hostile_input_stays_fast(phrases: PhraseSet, hostile: str) -> None:
    """Long runs of look-alike characters do not make matching blow up."""
    assert not may_signal_crisis(hostile, phrases)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("> quoted\nmine", "mine"),
        (">>> all\nof\nthis", ""),
        ("a `code` b", "a b"),
        ("a ```\nblock\n``` b", "a b"),
        ('he said "that" ok', "he said ok"),
        ("„so“ und «ça» und “this”", "und und"),
        ("hi <@123> <#456> <:smile:789> https://x.org/y z", "hi z"),
    ],
)
def test_remove_quoted_text(text: str, kept: str) -> None:
    """Quoted lines, code, double-quoted spans, mentions and links are removed."""
    assert " ".join(remove_quoted_text(text).split()) == kept


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(POSITIVES))
def test_positive_in_a_code_block_is_ignored(phrases: PhraseSet, text: str) -> None:
    """Any positive example put in a code block no longer counts."""
    assert not may_signal_crisis(f"```\n{text.replace('`', '')}\n```", phrases)


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(POSITIVES))
def test_positive_as_a_quote_is_ignored(phrases: PhraseSet, text: str) -> None:
    """Any positive example quoted line by line with '> ' no longer counts."""
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    assert not may_signal_crisis(quoted, phrases)


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(POSITIVES), upper=st.booleans())
def test_positive_survives_case_and_stretched_letters(
    phrases: PhraseSet, text: str, upper: bool
) -> None:
    """Changing case or stretching every letter ("diiee") keeps a positive positive."""
    stretched = "".join(ch * 3 if ch.isalpha() else ch for ch in text)
    assert may_signal_crisis(stretched.upper() if upper else stretched, phrases)


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_is_handled(phrases: PhraseSet, text: str) -> None:
    """Arbitrary text never raises, and the answer agrees with find_crisis_phrase."""
    assert may_signal_crisis(text, phrases) is (find_crisis_phrase(text, phrases) is not None)


# --- Negation and idiom rules, on a small phrase list --------------------------------------


def _tiny(**overrides: Any) -> PhraseSet:
    language: dict[str, Any] = {
        "negations": ["not", "never"],
        "bridges": ["going", "to", "i"],
        "phrases": [
            {
                "id": "en-jump-ship",
                "tokens": ["jump", "ship"],
                "unless_after": [["happily"]],
                "unless_before": [["would"]],
            }
        ],
    }
    language.update(overrides)
    return parse_phrase_set({"version": 1, "negation_reach": 2, "languages": {"en": language}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will jump ship", True),
        ("I will not jump ship", False),
        ("I'm not going to jump ship", False),
        ("not i going to jump ship", True),  # three bridges, more than negation_reach
        ("I'm not sure, I'll jump ship", True),  # the comma ends the negation's clause
        ("not sure I'll jump ship", True),  # 'sure' is not a bridge
        ("we jump ship happily", False),
        ("I would jump ship", False),
        ("jumpship", True),
        ("JUMP  .  SHIP", True),
    ],
)
def test_negation_and_idiom_rules(text: str, expected: bool) -> None:
    """Negations reach over bridge words within a clause; unless_* lists cancel idioms."""
    assert may_signal_crisis(text, _tiny()) is expected


# --- Parser errors -------------------------------------------------------------------------


def _raw(phrase: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "languages": {"en": {"negations": ["not"], "bridges": ["to"], "phrases": [phrase]}},
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            _raw({"id": "en-x", "tokens": [False, "reason"]}),
            "languages.en.phrases[0] (en-x) tokens[0]: must be a string, got the boolean false",
            id="unquoted-no",
        ),
        pytest.param(
            _raw({"id": "en-x", "tokens": ["want", 2, "die"]}),
            "(en-x) tokens[1]: must be a string, got the number 2",
            id="unquoted-number",
        ),
        pytest.param(
            _raw({"id": "en-x", "tokens": ["to?", "die"]}),
            "(en-x) tokens[0]: 'to?' cannot be optional here",
            id="optional-first-word",
        ),
        pytest.param(
            _raw({"id": "en-x", "tokens": ["kill-myself"]}),
            "(en-x) tokens[0]: 'kill-myself': each alternative must be letters or digits",
            id="punctuation-in-word",
        ),
        pytest.param(
            _raw({"id": "en-x", "tokens": []}),
            "(en-x) tokens: must be a non-empty list of words",
            id="no-tokens",
        ),
        pytest.param(
            _raw({"id": "en-x", "tokens": ["a"], "unless_afte": [["b"]]}),
            "(en-x): unknown key 'unless_afte'",
            id="misspelt-key",
        ),
        pytest.param(
            _raw({"id": "Bad Id", "tokens": ["a"]}),
            "'id' must be lower-case words joined by '-'",
            id="bad-id",
        ),
        pytest.param({"languages": {}}, "'version' must be 1", id="no-version"),
        pytest.param(["not", "a", "mapping"], "must be a mapping", id="not-a-mapping"),
    ],
)
def test_parser_names_the_broken_entry(raw: object, message: str) -> None:
    """A malformed phrase list raises PhraseSetError naming the phrase and the field."""
    with pytest.raises(PhraseSetError) as caught:
        parse_phrase_set(raw)
    assert message in str(caught.value)


def test_parser_rejects_duplicate_ids() -> None:
    """Two phrases with one id are reported with both places."""
    raw = _raw({"id": "en-x", "tokens": ["a"]})
    raw["languages"]["en"]["phrases"].append({"id": "en-x", "tokens": ["b"]})
    with pytest.raises(PhraseSetError, match=r"phrases\[1\] \(en-x\): id is also used at"):
        parse_phrase_set(raw)


def test_loader_reports_invalid_yaml(tmp_path: Path) -> None:
    """A phrase file that is not YAML raises PhraseSetError naming the file."""
    path = tmp_path / "crisis_phrases.yaml"
    path.write_text("languages: {en: [\n", encoding="utf-8")
    with pytest.raises(PhraseSetError, match=r"^crisis_phrases\.yaml: not valid YAML"):
        load_crisis_phrases(path)


# --- Purity --------------------------------------------------------------------------------
