"""The practice community the sandbox starts with: a small peer-support server, before Hearth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot import invite
from emulator import Emulator, Permissions, overwrite

# The permissions the README's invite link asks for (bot/invite.py).
INVITE_PERMISSIONS = invite.INVITE_PERMISSIONS.value
VOICE = 2
CATEGORY = 4
# What a moderator gives Hearth in a channel hidden from @everyone, so it can work there.
HEARTH_IN_PRIVATE = (
    Permissions.VIEW_CHANNEL
    | Permissions.SEND_MESSAGES
    | Permissions.EMBED_LINKS
    | Permissions.ATTACH_FILES
    | Permissions.READ_MESSAGE_HISTORY
    | Permissions.CREATE_PUBLIC_THREADS
    | Permissions.SEND_MESSAGES_IN_THREADS
)


@dataclass(frozen=True)
class Persona:
    """Someone the page lets you be."""

    key: str
    name: str
    role: str
    tz: str
    about: str


PERSONAS = (
    Persona("sam", "Sam", "Moderator", "Europe/London", "Started this server and looks after it."),
    Persona("jordan", "Jordan", "Facilitator", "America/Toronto", "Holds the weekly circle."),
    Persona("alex", "Alex", "Member", "Europe/Berlin", "Joined a few weeks ago."),
    Persona("priya", "Priya", "Member", "Asia/Kolkata", "Around most evenings, India time."),
    Persona("mateo", "Mateo", "Member", "America/Mexico_City", "Often online late."),
    Persona("noa", "Noa", "Member", "Australia/Melbourne", "New here, still finding their feet."),
)

LOUNGE = (
    ("priya", "Morning, everyone. Slow start today, but I'm here."),
    ("mateo", "Glad you're here, Priya. The kettle's on."),
    ("alex", "Has anyone tried the breathing thing from last week? It helped me a bit."),
)


@dataclass(frozen=True)
class Practice:
    """The ids of the practice server's parts (kept with the saved world)."""

    guild: int
    member_role: int
    facilitator_role: int
    moderator_role: int
    welcome: int
    general: int
    checkins: int
    circles: int
    alerts: int
    modlog: int
    voice: int
    people: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """Return the ids as plain data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Practice:
        """Rebuild from to_json()."""
        return cls(**{**data, "people": {k: int(v) for k, v in data["people"].items()}})


def seed(emu: Emulator) -> Practice:
    """Build the practice server in a fresh emulator: roles, channels, people, a little chat."""
    users = {p.key: emu.create_user(p.name.lower(), global_name=p.name).id for p in PERSONAS}
    guild = emu.create_guild(
        "Harbour (practice)", bot_permissions=INVITE_PERMISSIONS, owner_id=users["sam"]
    )
    gid = guild.id
    member = emu.create_role(gid, "Member", color=0x5B8DEF, hoist=True)
    facilitator = emu.create_role(gid, "Facilitator", color=0x3BA55D, hoist=True)
    moderator = emu.create_role(
        gid,
        "Moderator",
        permissions=Permissions.MANAGE_GUILD
        | Permissions.MANAGE_MESSAGES
        | Permissions.MANAGE_THREADS
        | Permissions.MODERATE_MEMBERS,
        color=0xE8875B,
        hoist=True,
    )
    hearth = guild.bot_role.id
    hidden = Permissions.VIEW_CHANNEL
    quiet = (
        Permissions.SEND_MESSAGES
    )  # read-only for members: Hearth posts, people reply in threads
    start = emu.create_channel(gid, "Start here", type=CATEGORY)
    welcome = emu.create_channel(
        gid,
        "welcome",
        parent_id=start.id,
        topic="Read the group agreement here first",
        overwrites=[overwrite(gid, deny=quiet, type=0), overwrite(hearth, allow=quiet, type=0)],
    )
    general = emu.create_channel(
        gid, "general", parent_id=start.id, topic="Say hello, chat, share what helps"
    )
    community = emu.create_channel(gid, "Community", type=CATEGORY)
    members_only = [
        overwrite(gid, deny=hidden | quiet, type=0),
        overwrite(member.id, allow=hidden, type=0),
        overwrite(facilitator.id, allow=hidden, type=0),
        overwrite(moderator.id, allow=hidden, type=0),
        overwrite(hearth, allow=HEARTH_IN_PRIVATE, type=0),
    ]
    checkins = emu.create_channel(
        gid,
        "check-ins",
        parent_id=community.id,
        topic="How we're doing, shared anonymously through Hearth",
        overwrites=members_only,
    )
    circles = emu.create_channel(
        gid,
        "circles",
        parent_id=community.id,
        topic="Support circles: times, RSVPs, and the room",
        overwrites=members_only,
    )
    staff = emu.create_channel(gid, "Moderators", type=CATEGORY)
    mods_only = [
        overwrite(gid, deny=hidden, type=0),
        overwrite(moderator.id, allow=hidden, type=0),
        overwrite(hearth, allow=HEARTH_IN_PRIVATE, type=0),
    ]
    alerts = emu.create_channel(
        gid, "mod-alerts", parent_id=staff.id, topic="Requests for a check-in", overwrites=mods_only
    )
    modlog = emu.create_channel(
        gid, "mod-log", parent_id=staff.id, topic="What moderators did", overwrites=mods_only
    )
    rooms = emu.create_channel(gid, "Voice", type=CATEGORY)
    voice = emu.create_channel(
        gid,
        "Circle room",
        type=VOICE,
        parent_id=rooms.id,
        overwrites=[
            overwrite(gid, deny=hidden | Permissions.CONNECT, type=0),
            overwrite(member.id, allow=hidden, deny=Permissions.CONNECT, type=0),
            overwrite(facilitator.id, allow=hidden | Permissions.CONNECT, type=0),
            overwrite(moderator.id, allow=hidden | Permissions.CONNECT, type=0),
            overwrite(hearth, allow=HEARTH_IN_PRIVATE | Permissions.CONNECT, type=0),
        ],
    )
    roles = {"Moderator": [moderator.id], "Facilitator": [facilitator.id], "Member": []}
    for persona in PERSONAS:
        uid = users[persona.key]
        if persona.key == "sam":
            emu.set_member_roles(gid, uid, roles["Moderator"])
        else:
            emu.add_member(gid, uid, roles=roles[persona.role])
    for key, text in LOUNGE:
        emu.post_message(users[key], general.id, text)
    return Practice(
        guild=gid,
        member_role=member.id,
        facilitator_role=facilitator.id,
        moderator_role=moderator.id,
        welcome=welcome.id,
        general=general.id,
        checkins=checkins.id,
        circles=circles.id,
        alerts=alerts.id,
        modlog=modlog.id,
        voice=voice.id,
        people=users,
    )
