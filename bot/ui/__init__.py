"""Discord-side helpers every cog shares.

- `limits`: Discord's documented limits, and `fitted()` / `fit_*` that keep everything in them;
- `replies`: `reply`, `reply_private`, `update`, `open_modal`, `send`, `edit` (every message,
  edit and form goes out through these, fitted, with mentions off unless asked for);
- `errors`: the one error pipeline (`report_error`, `guarded`, `HearthModal`, `HearthView`);
- `components`: persistent components whose state lives in their custom_id;
- `access`: moderators, servers, ids that fit Hearth's columns;
- `text`: Hearth's colour, Discord timestamps, time zone suggestions;
- `lookup`: finding what a stopped process may already have posted.
"""

from bot.ui.access import MAX_STORED_ID, StoredId, guild_of, is_moderator, require_moderator
from bot.ui.components import carried, persistent_button
from bot.ui.errors import (
    READ_AGREEMENT_ID,
    HearthModal,
    HearthView,
    guarded,
    read_agreement_button,
    read_agreement_view,
    report_error,
)
from bot.ui.limits import (
    NO_MENTIONS,
    choices_fitted,
    fit_choices,
    fit_content,
    fit_embeds,
    fit_modal,
    fit_thread_name,
    fit_view,
    fitted,
)
from bot.ui.lookup import find_own_message
from bot.ui.replies import (
    defer,
    edit,
    keep_deadline,
    open_modal,
    reply,
    reply_private,
    send,
    update,
)
from bot.ui.text import WARM, ts, zone_choices

__all__ = [
    "MAX_STORED_ID",
    "NO_MENTIONS",
    "READ_AGREEMENT_ID",
    "WARM",
    "HearthModal",
    "HearthView",
    "StoredId",
    "carried",
    "choices_fitted",
    "defer",
    "edit",
    "find_own_message",
    "fit_choices",
    "fit_content",
    "fit_embeds",
    "fit_modal",
    "fit_thread_name",
    "fit_view",
    "fitted",
    "guarded",
    "guild_of",
    "is_moderator",
    "keep_deadline",
    "open_modal",
    "persistent_button",
    "read_agreement_button",
    "read_agreement_view",
    "reply",
    "reply_private",
    "report_error",
    "require_moderator",
    "send",
    "ts",
    "update",
    "zone_choices",
]
