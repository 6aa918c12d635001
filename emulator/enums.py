"""Discord's wire numbers by name: channel, component, interaction and callback types, and more.

Kinds are `IntEnum`s, so a member equals the plain number a JSON body carries
(`ChannelType.FORUM == 15`) and serialises as that number; flag bits are plain ints, like
`Permissions`. Names follow Discord's documentation.
"""

from __future__ import annotations

from enum import IntEnum


class ChannelType(IntEnum):
    """Channel types."""

    TEXT = 0
    DM = 1
    VOICE = 2
    GROUP_DM = 3
    CATEGORY = 4
    ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    STAGE = 13
    DIRECTORY = 14
    FORUM = 15
    MEDIA = 16


THREAD_TYPES = frozenset(
    {ChannelType.ANNOUNCEMENT_THREAD, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD}
)
MESSAGEABLE_TYPES = frozenset(
    {
        ChannelType.TEXT,
        ChannelType.DM,
        ChannelType.VOICE,
        ChannelType.ANNOUNCEMENT,
        ChannelType.STAGE,
        *THREAD_TYPES,
    }
)
VOICE_TYPES = frozenset({ChannelType.VOICE, ChannelType.STAGE})
# Channels whose posts are threads (a forum post is a thread with a first message).
POST_CHANNEL_TYPES = frozenset({ChannelType.FORUM, ChannelType.MEDIA})


class ComponentType(IntEnum):
    """Message and modal component types."""

    ACTION_ROW = 1
    BUTTON = 2
    STRING_SELECT = 3
    TEXT_INPUT = 4
    USER_SELECT = 5
    ROLE_SELECT = 6
    MENTIONABLE_SELECT = 7
    CHANNEL_SELECT = 8
    SECTION = 9
    TEXT_DISPLAY = 10
    THUMBNAIL = 11
    MEDIA_GALLERY = 12
    FILE = 13
    SEPARATOR = 14
    CONTAINER = 17
    LABEL = 18
    FILE_UPLOAD = 19
    RADIO_GROUP = 21
    CHECKBOX_GROUP = 22
    CHECKBOX = 23


SELECT_TYPES = frozenset(
    {
        ComponentType.STRING_SELECT,
        ComponentType.USER_SELECT,
        ComponentType.ROLE_SELECT,
        ComponentType.MENTIONABLE_SELECT,
        ComponentType.CHANNEL_SELECT,
    }
)
INTERACTIVE_TYPES = frozenset({ComponentType.BUTTON, *SELECT_TYPES})
# Modal inputs that only go inside a Label (type 18), never in an action row.
LABELLED_INPUT_TYPES = frozenset(
    {
        *SELECT_TYPES,
        ComponentType.FILE_UPLOAD,
        ComponentType.RADIO_GROUP,
        ComponentType.CHECKBOX_GROUP,
        ComponentType.CHECKBOX,
    }
)


class ButtonStyle(IntEnum):
    """Button styles; link and premium buttons send no interaction."""

    PRIMARY = 1
    SECONDARY = 2
    SUCCESS = 3
    DANGER = 4
    LINK = 5
    PREMIUM = 6


class TextInputStyle(IntEnum):
    """Text input styles."""

    SHORT = 1
    PARAGRAPH = 2


class InteractionType(IntEnum):
    """Interaction types (what the user did)."""

    PING = 1
    APPLICATION_COMMAND = 2
    COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(IntEnum):
    """Interaction callback (response) types (how the bot answered)."""

    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


# Answers that leave a message behind (the new one, or the component's message).
MESSAGE_CALLBACKS = frozenset(
    {
        CallbackType.CHANNEL_MESSAGE,
        CallbackType.DEFERRED_CHANNEL_MESSAGE,
        CallbackType.DEFERRED_UPDATE_MESSAGE,
        CallbackType.UPDATE_MESSAGE,
    }
)


class InteractionContext(IntEnum):
    """Where an interaction happens (a command's `contexts`)."""

    GUILD = 0
    BOT_DM = 1
    PRIVATE_CHANNEL = 2


class CommandType(IntEnum):
    """Application command types."""

    CHAT_INPUT = 1
    USER = 2
    MESSAGE = 3


class OptionType(IntEnum):
    """Application command option types."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


SUBCOMMAND_TYPES = frozenset({OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP})
AUTOCOMPLETE_OPTION_TYPES = frozenset({OptionType.STRING, OptionType.INTEGER, OptionType.NUMBER})


class MessageType(IntEnum):
    """Message types the emulator creates or the page shows."""

    DEFAULT = 0
    THREAD_CREATED = 18
    REPLY = 19
    CHAT_INPUT_COMMAND = 20
    CONTEXT_MENU_COMMAND = 23


class MessageFlag:
    """Message flag bits, as plain ints (like Permissions: `~` on them stays an int)."""

    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_VOICE_MESSAGE = 1 << 13
    IS_COMPONENTS_V2 = 1 << 15


class OverwriteType(IntEnum):
    """Whom a permission overwrite is for."""

    ROLE = 0
    MEMBER = 1


class ApplicationFlag:
    """Application flag bits (the gateway intents a bot may use without verification)."""

    GATEWAY_PRESENCE_LIMITED = 1 << 13
    GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
    GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19


class EventEntityType(IntEnum):
    """Where a scheduled event happens."""

    STAGE_INSTANCE = 1
    VOICE = 2
    EXTERNAL = 3


class EventStatus(IntEnum):
    """A scheduled event's status."""

    SCHEDULED = 1
    ACTIVE = 2
    COMPLETED = 3
    CANCELED = 4


class EventPrivacy(IntEnum):
    """A scheduled event's privacy level (only one is left)."""

    GUILD_ONLY = 2


class WebhookType(IntEnum):
    """Webhook types."""

    INCOMING = 1


class IntegrationType(IntEnum):
    """Where an app is installed (keys of `authorizing_integration_owners`)."""

    GUILD_INSTALL = 0
    USER_INSTALL = 1


class ReactionType(IntEnum):
    """Reaction types."""

    NORMAL = 0
    BURST = 1


class ReferenceType(IntEnum):
    """Message reference types."""

    DEFAULT = 0
    FORWARD = 1


# Thread auto-archive durations Discord accepts, in minutes.
ARCHIVE_DURATIONS = frozenset({60, 1440, 4320, 10080})


# Discord's locales (https://discord.com/developers/docs/reference#locales).
DISCORD_LOCALES = frozenset(
    {
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    }
)
