"""Hostile input, everywhere a member can type: every answer arrives, in time and privately.

For every command, subcommand and option Hearth syncs (read from the emulator after the bot
is ready, never listed here), the sweep sends values Discord would let through: the longest
allowed strings (6,000 characters where the option sets no maximum), zero-width and
right-to-left characters, mention syntax and @everyone, SQL-looking text, impossible zones,
times and dates, the option's minimum and maximum, real and awkward users, roles and
channels; it types the same into every autocomplete option, and fills the forms the commands
open. It does so as a member who accepted the agreement, as a moderator, and as someone with
no roles. Every interaction must be answered within 3 s (or deferred and followed up),
privately, pinging nobody, with no ERROR log record and no emulator problem.

Each option gets a fixed list of values (its limits and the hostile catalogue, one option at
a time, the others plausible), then hypothesis mixes them with free text for a bounded number
of examples per command: derandomize=True, no example database, no shrinking, deadline=None,
so every run sends the same interactions. Hearth starts once per module (on PostgreSQL too when
HEARTH_TEST_POSTGRES_URL is set); the number sent is printed in pytest's terminal summary.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import BACKENDS, _postgres_admin, _postgres_url
from tests.e2e.conftest import SWEEP_REPORT, ErrorRecords
from tests.e2e.hostile_values import (
    fixed_values,
    modal_field_strategy,
    modal_field_values,
    modal_inputs,
    option_strategy,
    plausible,
    plausible_form,
)
from tests.e2e.sweep_harness import (
    NOW,
    Leaf,
    LoopThread,
    Persona,
    Sweep,
    accept_agreement,
    restore,
    start_sweep,
    stop_sweep,
)

# Random examples per command and persona, on top of the fixed values.
EXAMPLES = 10
# Some of the languages Discord clients run in (the interaction's locale).
LOCALES = st.sampled_from(["en-US", "de", "ja", "hi", "pt-BR", "ru", "zh-TW"])
PROFILE = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", params=BACKENDS)
def sweep(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path,
) -> Iterator[Sweep]:
    """Start Hearth once for the module, configured, with a circle, pairing and a resource."""
    data_dir = tmp_path_factory.mktemp("sweep")
    if request.param == "sqlite":
        shutil.copyfile(migrated_template, data_dir / "hearth.db")
        url = f"sqlite+aiosqlite:///{data_dir / 'hearth.db'}"
        drop = None
    else:
        template = request.getfixturevalue("postgres_template")
        name = f"hearth_sweep_{uuid.uuid4().hex[:12]}"
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        url, drop = _postgres_url(name), name
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    loop = LoopThread()
    try:
        running = loop.run(start_sweep(loop.loop, url, data_dir, errors))
        running.run(_prepare(running))
        yield running
        running.run(stop_sweep(running))
        running.check_clean("stopping Hearth")
        jobs = running.sent.pop("job run", 0)
        total = sum(running.sent.values())
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(running.sent.items()))
        SWEEP_REPORT.append(
            f"hostile-input sweep ({request.param}): {total} interactions ({parts}) and "
            f"{jobs} job runs in {running.seconds:.1f} s"
        )
    finally:
        loop.close()
        logging.getLogger().removeHandler(errors)
        if drop:
            asyncio.run(_postgres_admin(f'DROP DATABASE "{drop}" WITH (FORCE)'))


async def _prepare(sweep: Sweep) -> None:
    """Give the deeper paths something to find: accepted members, a circle, pairing, a resource."""
    c = sweep.community
    for persona in ("member", "moderator"):
        await accept_agreement(sweep, sweep.personas[persona].user_id)
    voice = sweep.emu.create_channel(c.guild.id, "circle-room", type=2)
    mod = sweep.personas["moderator"]
    for leaf, values in (
        (
            "circle create",
            {
                "title": "Tuesday evening circle",
                "timezone": "Europe/London",
                "first_date": f"{NOW.year}-01-15",
                "start_time": "19:00",
                "duration": 90,
                "repeats": "weekly",
                "voice": voice.id,
            },
        ),
        ("pair settings", {"channel": c.general.id}),
        (
            "crisis-setup resources add",
            {"name": "Harbour line", "reach": "0800 000 000", "description": "Peers, evenings"},
        ),
        ("setup welcome", {}),
    ):
        handle = await sweep.emu.slash(
            mod.user_id, leaf, guild_id=c.guild.id, channel_id=c.general.id, options=values
        )
        await sweep.settle(handle, f"preparing with /{leaf}")


@pytest.fixture(autouse=True)
def _fresh(sweep: Sweep) -> None:
    """Each test starts from the set-up and reports only what broke during it."""
    sweep.run(restore(sweep))
    sweep.take_failures()


def _runnable(sweep: Sweep, persona: Persona) -> list[Leaf]:
    leaves = [leaf for leaf in sweep.leaves() if sweep.may_run(persona, leaf)]
    assert leaves, "no commands synced"
    return leaves


def _restore(sweep: Sweep, persona: Persona) -> None:
    """Put the set-up back after a moderator's command may have changed it (roles, quiz...)."""
    if persona.name == "moderator":
        sweep.run(restore(sweep))


@pytest.mark.parametrize("who", ["member", "moderator", "newcomer"])
def test_every_command_answers_hostile_options(sweep: Sweep, who: str) -> None:
    """Every command answers hostile option values in time, privately, with no error."""
    persona = sweep.personas[who]
    now = NOW
    for leaf in _runnable(sweep, persona):
        base = {
            o["name"]: plausible(o, sweep.targets, now) for o in leaf.options if o.get("required")
        }
        sweep.attempt(leaf.path, sweep.slash(persona, leaf, base))
        if leaf.in_dms:
            sweep.attempt(leaf.path, sweep.slash(persona, leaf, base, in_dm=True))
        for option in leaf.options:
            for value in fixed_values(option, sweep.targets, now):
                sweep.attempt(
                    leaf.path, sweep.slash(persona, leaf, {**base, option["name"]: value})
                )
        _mixed(sweep, persona, leaf, now)
        _restore(sweep, persona)
    assert not sweep.failures, sweep.take_failures()


def _mixed(sweep: Sweep, persona: Persona, leaf: Leaf, now: Any) -> None:
    """Let hypothesis mix hostile and free values across all of a command's options."""
    required = {
        o["name"]: option_strategy(o, sweep.targets, now) for o in leaf.options if o.get("required")
    }
    optional = {
        o["name"]: option_strategy(o, sweep.targets, now)
        for o in leaf.options
        if not o.get("required")
    }
    places = st.booleans() if leaf.in_dms else st.just(False)

    @PROFILE
    @given(values=st.fixed_dictionaries(required, optional=optional), in_dm=places, locale=LOCALES)
    def mixed(values: dict[str, Any], in_dm: bool, locale: str) -> None:
        sweep.attempt(leaf.path, sweep.slash(persona, leaf, values, in_dm=in_dm, locale=locale))

    mixed()


@pytest.mark.parametrize("who", ["member", "moderator", "newcomer"])
def test_every_autocomplete_answers_hostile_text(sweep: Sweep, who: str) -> None:
    """Every autocomplete option suggests (at most 25 fitting choices) whatever is typed."""
    persona = sweep.personas[who]
    seen = 0
    for leaf in _runnable(sweep, persona):
        for option in leaf.options:
            if not option.get("autocomplete"):
                continue
            seen += 1
            typed = dict(option)
            if option["type"] != 3:  # integers and numbers: Discord sends what is typed as text
                texts = ["", "0", "-1", "12", "9007199254740993", "1e309", "abc", "\u200b"]
            else:
                texts = ["", *(str(v) for v in fixed_values(typed, sweep.targets, NOW))]
            for text in texts:
                where = f"{leaf.path} {option['name']} (autocomplete)"
                sweep.attempt(where, sweep.autocomplete(persona, leaf, option["name"], text, {}))
    assert seen, "no autocomplete options synced"
    assert not sweep.failures, sweep.take_failures()


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_every_form_takes_hostile_values(sweep: Sweep, who: str) -> None:
    """Every form a command opens takes hostile values within its limits and answers privately."""
    persona = sweep.personas[who]
    opened = 0
    for leaf in _runnable(sweep, persona):
        base = {
            o["name"]: plausible(o, sweep.targets, NOW) for o in leaf.options if o.get("required")
        }
        # Some forms open only with an optional option set (/pair report member:): try a few.
        tries = [base] + [
            {**base, o["name"]: value}
            for o in leaf.options
            if not o.get("required")
            for value in fixed_values(o, sweep.targets, NOW)[:3]
        ]
        for values in tries:
            form = sweep.attempt(leaf.path, _open(sweep, persona, leaf, values))
            if form is not None:
                opened += 1
                _fill_form(sweep, persona, leaf, values, form)
                _restore(sweep, persona)
                break
    assert opened, "no command opened a form"
    assert not sweep.failures, sweep.take_failures()


def _fill_form(
    sweep: Sweep, persona: Persona, leaf: Leaf, options: dict[str, Any], form: dict[str, Any]
) -> None:
    """Submit a form with each field's fixed values in turn, then hypothesis's mixes."""
    fields = modal_inputs(form["components"])
    where = f"{leaf.path} (form)"
    plain = plausible_form(fields)
    for field in fields:
        if field["type"] == 4:
            for value in modal_field_values(field, sweep.targets.mention):
                values = {**plain, field["custom_id"]: value}
                sweep.attempt(where, _fill(sweep, persona, leaf, options, values))
    strategies = {f["custom_id"]: modal_field_strategy(f, sweep.targets.mention) for f in fields}
    required = {k: v for k, v in strategies.items() if _required(form, k)}
    optional = {k: v for k, v in strategies.items() if k not in required}

    @PROFILE
    @given(values=st.fixed_dictionaries(required, optional=optional))
    def mixed(values: dict[str, Any]) -> None:
        sweep.attempt(where, _fill(sweep, persona, leaf, options, values))

    mixed()


def _required(modal: dict[str, Any], custom_id: str) -> bool:
    return next(f for f in modal_inputs(modal["components"]) if f["custom_id"] == custom_id).get(
        "required", True
    )


async def _open(
    sweep: Sweep, persona: Persona, leaf: Leaf, base: dict[str, Any]
) -> dict[str, Any] | None:
    """Run a command; submit and return the form it opened, if any (None otherwise)."""
    c = sweep.community
    sweep.clock.advance(days=1)  # past the daily limits of forms such as /checkin share
    sweep.sent["slash"] += 1
    handle = await sweep.emu.slash(
        persona.user_id, leaf.path, guild_id=c.guild.id, channel_id=c.general.id, options=base
    )
    await sweep.settle(handle, f"/{leaf.path} as {persona.name}")
    if handle.modal is None:
        return None
    await sweep.submit(persona, handle, sweep.round_robin(handle.modal), f"/{leaf.path}")
    return handle.modal


async def _fill(
    sweep: Sweep, persona: Persona, leaf: Leaf, base: dict[str, Any], values: dict[str, Any]
) -> None:
    c = sweep.community
    sweep.clock.advance(days=1)
    sweep.sent["slash"] += 1
    handle = await sweep.emu.slash(
        persona.user_id, leaf.path, guild_id=c.guild.id, channel_id=c.general.id, options=base
    )
    what = f"/{leaf.path} as {persona.name}"
    await sweep.settle(handle, what)
    if handle.modal is not None:
        await sweep.submit(persona, handle, values, what)


@pytest.mark.parametrize("who", ["member", "moderator", "newcomer"])
def test_context_menus_answer_on_any_message(sweep: Sweep, who: str) -> None:
    """Every message menu answers privately on hostile, own, others' and the bot's messages."""
    persona = sweep.personas[who]
    c = sweep.community
    mention = sweep.targets.mention

    async def menus() -> list[dict[str, Any]]:
        emu = sweep.emu
        sweep.clock.advance(days=1)
        member = sweep.personas["member"]
        share = await emu.slash(
            member.user_id, "checkin share", guild_id=c.guild.id, channel_id=c.general.id
        )
        await sweep.settle(share, "/checkin share for a post to report")
        if share.modal is not None:
            await sweep.submit(member, share, sweep.round_robin(share.modal), "/checkin share")
        await sweep.run_jobs(timedelta(minutes=16))
        targets = [*emu.channel_messages(c.checkins.id)[-1:]]
        targets += [
            emu.post_message(c.alice.id, c.general.id, mention),
            emu.post_message(
                persona.user_id, c.general.id, "'; DROP TABLE checkins; -- \u202eevil"
            ),
            emu.post_message(c.bob.id, c.general.id, "a" * 2000),
        ]
        targets += [m for m in emu.channel_messages(c.welcome.id)[-1:]]
        return targets

    for target in sweep.run(menus()):
        for name in sweep.context_menus():
            sweep.attempt(f"[{name}]", sweep.context_menu(persona, name, target))
    assert not sweep.failures, sweep.take_failures()


def test_jobs_deliver_what_the_sweep_stored(sweep: Sweep) -> None:
    """Everything the sweep stored (check-ins, reminders, circles, pairing) goes out without errors."""
    for after in (
        timedelta(minutes=16),
        timedelta(hours=1),
        timedelta(days=1),
        timedelta(days=8),
        timedelta(days=31),
    ):
        sweep.run(sweep.run_jobs(after))
