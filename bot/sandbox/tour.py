"""The guided tour of the sandbox: a few steps through what Hearth does, as the page shows it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.community import Practice

FACILITATOR_ZONE = "America/Toronto"


def circle_start(now: datetime) -> datetime:
    """Return a start time 45 to 60 minutes away, on a quarter hour, in the facilitator's zone."""
    local = now.astimezone(ZoneInfo(FACILITATOR_ZONE)) + timedelta(minutes=45)
    rounded = local.replace(second=0, microsecond=0) + timedelta(minutes=(-local.minute) % 15)
    if rounded < local:
        rounded += timedelta(minutes=15)
    return rounded


def tour_steps(practice: Practice, now: datetime) -> list[dict[str, Any]]:
    """Return the tour's steps; each names who to be and where, and what to try."""
    people = practice.people
    start = circle_start(now)
    when = f"first_date `{start:%Y-%m-%d}`, start_time `{start:%H:%M}`"
    return [
        {
            "title": "Welcome",
            "person": str(people["sam"]),
            "channel": str(practice.general),
            "channel_name": "#general",
            "text": (
                "This is a practice Discord server on your computer, with the real Hearth in "
                "it. Nothing here reaches Discord.\n\n"
                "- **You are** (bottom left) switches between Sam the moderator, Jordan the "
                "facilitator and four members, each with a time zone of their own.\n"
                "- Type `/` in the message box for the commands Hearth offers that person.\n"
                "- **Skip ahead** (top) moves Hearth's clock and runs what falls due.\n"
                "- Private answers are marked *Only you can see this*."
            ),
        },
        {
            "title": "Set the server up",
            "person": str(people["sam"]),
            "channel": str(practice.modlog),
            "channel_name": "#mod-log",
            "text": (
                "As Sam, run `/setup roles` with member **@Member**, facilitator "
                "**@Facilitator** and moderator **@Moderator**.\n\n"
                "Then `/setup channels`: welcome **#welcome**, checkin **#check-ins**, circles "
                "**#circles**, alerts **#mod-alerts**, modlog **#mod-log**.\n\n"
                "`/setup show` lists anything Hearth still cannot do."
            ),
        },
        {
            "title": "Write the agreement",
            "person": str(people["sam"]),
            "channel": str(practice.modlog),
            "channel_name": "#mod-log",
            "text": (
                "Run `/agreement edit` with change **Minor**: a form opens for a title and one "
                "point per line.\n\n"
                "Then `/setup welcome` posts the welcome message in #welcome, with a **Read the "
                "agreement** button that keeps working after restarts."
            ),
        },
        {
            "title": "Accept it as a member",
            "person": str(people["alex"]),
            "channel": str(practice.welcome),
            "channel_name": "#welcome",
            "text": (
                "As Alex, press **Read the agreement** and then **Accept**. Hearth gives Alex "
                "the Member role, and #check-ins, #circles and Circle room appear in the list."
            ),
        },
        {
            "title": "Share a check-in",
            "person": str(people["alex"]),
            "channel": str(practice.checkins),
            "channel_name": "#check-ins",
            "text": (
                "Run `/checkin share`, choose how you are and write a few words.\n\n"
                "Hearth waits a few random minutes before posting, so the time doesn't give "
                "Alex away (press **Undo** to take it back). Press **Skip ahead 15 min**: the "
                "check-in appears under a pseudonym, with a reply thread. Nobody, moderators "
                "included, can see who wrote it.\n\n"
                "After the week and a grace week, Hearth destroys that week's secret key: skip "
                "ahead **1 week** twice and open **Log** to see it happen."
            ),
        },
        {
            "title": "Hold a circle",
            "person": str(people["jordan"]),
            "channel": str(practice.circles),
            "channel_name": "#circles",
            "text": (
                "As Jordan, run `/circle create`: a title, timezone `Toronto` (pick "
                f"America/Toronto), {when}, duration `60`, repeats **Just once** or **Every "
                "week**, voice **Circle room**. Hearth announces it and lists it under "
                "Events.\n\n"
                "Be Alex and press **I'll be there**. Skip ahead 15 minutes at a time: Alex "
                "gets a reminder by DM 15 minutes before.\n\n"
                "From 30 minutes before, Jordan's `/circle open` lets members join Circle room "
                "(open it to see who may join now), and `/circle close` locks it again."
            ),
        },
        {
            "title": "Run a pairing round",
            "person": str(people["sam"]),
            "channel": str(practice.general),
            "channel_name": "#general",
            "text": (
                "As Sam, `/pair settings` with channel **#general** (the private pair threads "
                "go there).\n\n"
                "Then, as two or three members who accepted the agreement, `/pair join` with "
                "their time zone. As Sam, `/pair round now`: each pair gets a private thread "
                "with an introduction and times that suit both. Skip ahead a few days for "
                "*Did you connect?*"
            ),
        },
        {
            "title": "Open /crisis",
            "person": str(people["priya"]),
            "channel": str(practice.general),
            "channel_name": "#general",
            "text": (
                "Anyone can run `/crisis`, in the server or in DMs with Hearth. Give a country "
                "(start typing, like `India`): helplines you can reach now, shown only to you.\n\n"
                "`/privacy` says what Hearth stores and for how long."
            ),
        },
        {
            "title": "Restart Hearth",
            "person": str(people["sam"]),
            "channel": str(practice.welcome),
            "channel_name": "#welcome",
            "text": (
                "Press **Restart Hearth** at the top: Hearth stops and starts again on the same "
                "database, in the same server. Buttons on older messages still work, and "
                "nothing anyone wrote is lost. To begin again from scratch, start the sandbox "
                "with `--fresh`."
            ),
        },
    ]
