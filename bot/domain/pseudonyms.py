"""Author tokens and the gentle pseudonyms ("Quiet Heron") derived from them.

Pure: standard library only. A token is an HMAC of the server and member ids under a random
key that lives for one rotation window; whoever lacks the key cannot tell whose token it is,
and once the key is destroyed nobody can. The pseudonym is a function of the token alone.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["ADJECTIVES", "NOUNS", "TOKEN_BYTES", "author_token", "pseudonym", "subkey"]

TOKEN_BYTES = 32

ADJECTIVES: tuple[str, ...] = (
    "Quiet", "Gentle", "Steady", "Warm", "Calm", "Kind", "Bright", "Soft", "Patient", "Hopeful",
    "Brave", "Tender", "Mellow", "Sunny", "Still", "Humble", "Earnest", "Wandering", "Thoughtful",
    "Curious", "Hushed", "Restful", "Golden", "Silver", "Amber", "Misty", "Dewy", "Mossy",
    "Rainy", "Snowy", "Breezy", "Cosy", "Lucky", "Merry", "Nimble", "Sleepy", "Swift", "Tidy",
    "Velvet", "Woolly", "Cheerful", "Daring", "Faithful", "Friendly", "Graceful", "Honest",
    "Joyful", "Loyal", "Lively", "Mindful", "Peaceful", "Playful", "Sincere", "Spirited",
    "Sturdy", "Trusty", "Wise", "Wistful", "Dreamy", "Evening", "Morning", "Northern", "Southern",
    "Eastern", "Western", "Autumn", "Spring", "Summer", "Winter", "Starlit", "Moonlit", "Sunlit",
    "Meadow", "River", "Harbour", "Hillside", "Coastal", "Woodland", "Upland", "Lantern",
    "Candle", "Ember", "Pebble", "Willow", "Cedar", "Maple", "Juniper", "Clover", "Heather",
    "Saffron", "Indigo", "Copper", "Pearl", "Jade", "Russet", "Azure",
)  # fmt: skip

NOUNS: tuple[str, ...] = (
    "Heron", "Otter", "Fox", "Wren", "Finch", "Robin", "Sparrow", "Owl", "Deer", "Hare", "Badger",
    "Hedgehog", "Squirrel", "Beaver", "Swan", "Crane", "Dove", "Lark", "Starling", "Kingfisher",
    "Puffin", "Seal", "Dolphin", "Whale", "Turtle", "Tortoise", "Salmon", "Trout", "Moth",
    "Bumblebee", "Dragonfly", "Ladybird", "Firefly", "Butterfly", "Snail", "Frog", "Newt",
    "Mole", "Vole", "Mouse", "Rabbit", "Lynx", "Wolf", "Bear", "Elk", "Moose", "Bison", "Yak",
    "Llama", "Alpaca", "Panda", "Koala", "Wombat", "Quokka", "Kiwi", "Penguin", "Albatross",
    "Pelican", "Flamingo", "Ibis", "Stork", "Magpie", "Jay", "Raven", "Blackbird", "Thrush",
    "Nightingale", "Swallow", "Seahorse", "Mallard", "Plover", "Curlew", "Sandpiper", "Tern",
    "Gull", "Cormorant", "Gannet", "Osprey", "Kestrel", "Falcon", "Hawk", "Sparrowhawk",
    "Oriole", "Bluebird", "Cardinal", "Chickadee", "Nuthatch", "Warbler", "Goldfinch",
    "Linnet", "Pipit", "Bunting", "Dipper", "Grebe", "Loon", "Marten",
)  # fmt: skip


def subkey(key: bytes, purpose: str) -> bytes:
    """Derive an independent key for one purpose from a window key."""
    return hmac.digest(key, b"hearth/checkins/" + purpose.encode(), "sha256")


def author_token(key: bytes, guild_id: int, user_id: int) -> bytes:
    """Return the member's token for this window: HMAC-SHA256 of `guild_id|user_id`."""
    message = f"{guild_id}|{user_id}".encode()
    return hmac.digest(subkey(key, "author-token"), message, "sha256")


def pseudonym(token: bytes, attempt: int = 0) -> str:
    """Return the pseudonym for a token; `attempt` > 0 gives alternatives when one is taken."""
    digest = hashlib.sha256(b"hearth/pseudonym|%d|" % attempt + token).digest()
    adjective = int.from_bytes(digest[:8], "big") % len(ADJECTIVES)
    noun = int.from_bytes(digest[8:16], "big") % len(NOUNS)
    return f"{ADJECTIVES[adjective]} {NOUNS[noun]}"
