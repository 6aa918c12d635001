"""The delivery workflow's decisions on a real database, with Discord played by a fake port."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from bot.clock import FakeClock
from bot.services import Services
from bot.services.checkins import (
    CheckinDelivery,
    Delivery,
    FoundPost,
    Notice,
    PostToDelete,
    Refused,
    Unreachable,
)

GUILD, CHANNEL, MOD = 10, 20, 30
ALICE = 41


@dataclass
class FakePort:
    """Discord as the workflow sees it: posts recorded, failures chosen by the test."""

    posted: list[str] = field(default_factory=list)
    dms: list[tuple[int, str]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    channel_readable: bool = True
    found: FoundPost | None = None
    post_fails: bool = False
    dms_open: bool = True
    delete_fails: type[Exception] | None = None

    def ready(self) -> bool:
        return True

    async def post(self, delivery: Delivery) -> int:
        if self.post_fails:
            raise Unreachable("503")
        self.posted.append(delivery.ref)
        return 900 + len(self.posted)

    async def open_thread(self, delivery: Delivery, message_id: int) -> int | None:
        return message_id

    async def find_post(self, delivery: Delivery) -> FoundPost | None:
        if not self.channel_readable:
            raise Unreachable("ClientConnectorError")
        return self.found

    async def note_for_moderators(self, delivery: Delivery, message_id: int) -> None:
        return None

    async def tell_author(self, guild_id: int, user_id: int, notice: Notice) -> bool:
        if self.dms_open:
            self.dms.append((user_id, notice.message % notice.values))
        return self.dms_open

    async def delete_post(self, post: PostToDelete) -> None:
        if self.delete_fails is not None:
            raise self.delete_fails("no")
        self.deleted.append(post.checkin_id)


@pytest.fixture
async def ready(services: Services) -> Services:
    """A server with a check-in channel, no posting delay, and a member who accepted."""
    await services.settings.update(GUILD, MOD, "", checkin_channel_id=CHANNEL)
    await services.agreement.save(GUILD, MOD, "Agreement", "Be kind.", "minor")
    await services.agreement.accept(GUILD, ALICE, 1)
    await services.checkins.update_settings(GUILD, MOD, max_delay_seconds=0)
    services.checkins.rng = random.Random(1)
    return services


def workflow(services: Services, port: FakePort, clock: FakeClock) -> CheckinDelivery:
    """Return the delivery workflow on these services, talking to the fake port."""
    return CheckinDelivery(services.checkin_queue, services.checkins, port, clock)


async def test_an_unreadable_channel_after_a_crash_means_wait_not_post(
    ready: Services, clock: FakeClock
) -> None:
    """A claim left by a crash is neither posted nor released while its channel can't be read."""
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, "left half-done")
    await ready.checkin_queue.claim_due()  # the process that claimed it stopped here
    port = FakePort(channel_readable=False)
    delivery = workflow(ready, port, clock)
    await delivery.run()
    assert port.posted == []
    assert [d.checkin_id for d in await ready.checkin_queue.interrupted()] == [receipt.checkin_id]
    port.channel_readable = True
    await delivery.run()
    assert port.posted == [receipt.ref]  # not found in the channel: posted, once
    assert await ready.checkin_queue.interrupted() == []


async def test_a_post_found_after_a_crash_is_recorded_not_posted_again(
    ready: Services, clock: FakeClock
) -> None:
    """What the channel already shows is marked posted, with the thread found there."""
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkin_queue.claim_due()
    port = FakePort(found=FoundPost(message_id=777, thread_id=777))
    await workflow(ready, port, clock).run()
    assert port.posted == []
    post = await ready.checkin_moderation.find_post(GUILD, 777)
    assert (post.status, post.thread_id) == ("posted", 777)


async def test_giving_up_with_closed_dms_leaves_the_author_a_notice(
    ready: Services, clock: FakeClock
) -> None:
    """When a day of failures ends and the author's DMs are closed, they are told next time."""
    await ready.checkins.submit(GUILD, ALICE, 3, "into the void?")
    port = FakePort(post_fails=True, dms_open=False)
    delivery = workflow(ready, port, clock)
    await delivery.run()
    clock.advance(days=1, seconds=1)
    await delivery.run()
    [notice] = await ready.checkins.take_notices(GUILD, ALICE)
    text = notice.message % notice.values
    assert "couldn't be posted" in text and "into the void" not in text


async def expired_post(ready: Services, clock: FakeClock, delivery: CheckinDelivery) -> int:
    """Post a check-in in a server that keeps posts a day, and let the day pass; return its id."""
    await ready.checkins.update_settings(GUILD, MOD, post_retention_days=1)
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, None)
    await delivery.run()
    clock.advance(days=1, seconds=1)
    return receipt.checkin_id


async def test_a_deletion_discord_could_not_take_is_tried_again(
    ready: Services, clock: FakeClock
) -> None:
    """An expired post Discord could not delete for a passing reason goes at the next tidy."""
    port = FakePort()
    delivery = workflow(ready, port, clock)
    checkin_id = await expired_post(ready, clock, delivery)
    port.delete_fails = Unreachable
    await delivery.tidy()
    port.delete_fails = None
    await delivery.tidy()
    assert port.deleted == [checkin_id]


async def test_a_deletion_hearth_is_not_allowed_is_not_tried_again(
    ready: Services, clock: FakeClock
) -> None:
    """Without the permission to delete, trying again would not help: the post is let be."""
    port = FakePort()
    delivery = workflow(ready, port, clock)
    await expired_post(ready, clock, delivery)
    port.delete_fails = Refused
    await delivery.tidy()
    port.delete_fails = None
    await delivery.tidy()
    assert port.deleted == []
