"""The permissions Hearth's invite link asks for, each with the reason the README gives."""

from __future__ import annotations

import discord

# Each flag, as discord.py names it, with what Hearth uses it for (the README's table).
REASONS: dict[str, str] = {
    "view_channel": "see the channels it is set up to use",
    "send_messages": "post check-ins, announcements, welcome and moderator cards",
    "embed_links": "show cards (crisis lines, check-ins, circles) as embeds",
    "attach_files": "send the mood chart in /checkin history",
    "read_message_history": "find a post it made before a restart instead of posting it twice",
    "connect": "open and close a circle's voice room (Discord refuses an overwrite or a "
    "voice event in a room Hearth cannot join)",
    "manage_roles": "give the member role, and open and close circle rooms (overwrites)",
    "manage_events": "keep a circle's scheduled event up to date, and cancel it",
    "create_events": "create a circle's scheduled event",
    "manage_threads": "close and archive reply and pair threads",
    "create_public_threads": "open the reply thread under each check-in",
    "create_private_threads": "open pair threads and moderator follow-ups",
    "send_messages_in_threads": "write in the threads it opens",
}

INVITE_PERMISSIONS = discord.Permissions(**dict.fromkeys(REASONS, True))


def invite_url(application_id: int | str = "YOUR_APPLICATION_ID") -> str:
    """Return the link that adds Hearth to a server with these permissions."""
    return (
        "https://discord.com/oauth2/authorize?"
        f"client_id={application_id}&scope=bot+applications.commands"
        f"&permissions={INVITE_PERMISSIONS.value}"
    )
