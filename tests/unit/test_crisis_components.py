"""The crisis and agreement components keep the custom_ids already posted in servers."""

from __future__ import annotations

import re

import pytest

from bot.ui.alerts import BACKUP, CLAIM, THREAD
from bot.ui.components import ButtonSpec, SelectSpec
from bot.ui.crisis_card import ASK, CHOOSE, OPT_OUT, PICK
from cogs.agreement._views import ACCEPT, NOT_NOW, QUIZ, READ
from cogs.crisis._views import NOT_NOW as ASK_NOT_NOW
from cogs.crisis._views import SEND_ANONYMOUS, SEND_NAMED

POSTED = [
    (CHOOSE, (None, True), "hearth:crisis:choose:0:1"),
    (CHOOSE, (42, False), "hearth:crisis:choose:42:0"),
    (PICK, (None, False, 3), "hearth:crisis:pick:0:0:3"),
    (ASK, (42, "GB"), "hearth:crisis:ask:42:GB"),
    (ASK, (42, None), "hearth:crisis:ask:42:-"),
    (SEND_NAMED, (42, "GB"), "hearth:crisis:send:named:42:GB"),
    (SEND_ANONYMOUS, (42, None), "hearth:crisis:send:anon:42:-"),
    (ASK_NOT_NOW, (), "hearth:crisis:askcancel"),
    (OPT_OUT, (), "hearth:crisis:optout"),
    (CLAIM, (7,), "hearth:crisis:claim:7"),
    (BACKUP, (7,), "hearth:crisis:backup:7"),
    (THREAD, (7,), "hearth:crisis:thread:7"),
    (READ, (None,), "hearth:agreement:read"),
    (READ, (42,), "hearth:agreement:read:42"),
    (ACCEPT, (42, 3), "hearth:agreement:accept:42:3"),
    (NOT_NOW, (), "hearth:agreement:notnow"),
    (QUIZ, (42, 3), "hearth:agreement:quiz:42:3"),
]


@pytest.mark.parametrize(("spec", "values", "custom_id"), POSTED, ids=[p[2] for p in POSTED])
def test_custom_ids_are_the_ones_already_posted(
    spec: ButtonSpec | SelectSpec, values: tuple[object, ...], custom_id: str
) -> None:
    """Each component writes the custom_id it always wrote, and its handler matches it."""
    assert spec.custom_id(*values) == custom_id
    assert re.fullmatch(spec.template, custom_id)


def test_no_two_handlers_match_one_custom_id() -> None:
    """Every posted custom_id is matched by exactly one registered template."""
    specs = {id(spec): spec for spec, _, _ in POSTED}.values()
    for _, _, custom_id in POSTED:
        matching = [spec for spec in specs if re.fullmatch(spec.template, custom_id)]
        assert len(matching) == 1, custom_id
