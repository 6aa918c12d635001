"""Prometheus metrics: counts and times only, never a member, channel, message or text.

Labels are a fixed, small vocabulary: the kind of interaction, the command's name (or the
fixed prefix of a component's custom_id, its numbers cut off), an outcome, a job id, a shard.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Mapping

import discord
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
LAG_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_KINDS = {
    discord.InteractionType.application_command: "command",
    discord.InteractionType.component: "component",
    discord.InteractionType.modal_submit: "form",
    discord.InteractionType.autocomplete: "autocomplete",
}
_WORD = re.compile(r"[a-z_]{1,24}")
_KEPT = 10_000


def interaction_kind(interaction: discord.Interaction) -> str:
    """Return the kind of interaction, as a label."""
    return _KINDS.get(interaction.type, "other")


def interaction_name(interaction: discord.Interaction) -> str:
    """Return what was used, as a label: the command's name, or a custom_id without its ids."""
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Mapping[str, object] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    words: list[str] = []
    for part in custom_id.split(":")[:3]:  # "hearth:checkin:undo:<ids>" -> hearth:checkin:undo
        if not _WORD.fullmatch(part):
            break  # ids, codes and random tokens never become label values
        words.append(part)
    return ":".join(words) or "-"


class Metrics:
    """Hearth's metrics, in a registry of its own (one per running Hearth)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.interactions = Counter(
            "hearth_interactions",
            "Interactions received, by kind and command.",
            ("kind", "command"),
            registry=self.registry,
        )
        self.outcomes = Counter(
            "hearth_interaction_outcomes",
            "Interactions that ended in a refusal (a kind answer) or an unexpected error.",
            ("kind", "command", "outcome"),
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "hearth_interaction_answer_seconds",
            "Time from receiving an interaction to its first answer (or deferral).",
            ("kind",),
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.job_runs = Counter(
            "hearth_job_runs", "Background job runs.", ("job",), registry=self.registry
        )
        self.job_failures = Counter(
            "hearth_job_failures",
            "Background job runs that failed.",
            ("job",),
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "hearth_job_seconds",
            "How long background job runs took.",
            ("job",),
            registry=self.registry,
        )
        self.delivery_queue = Gauge(
            "hearth_checkin_queue_depth", "Check-ins waiting to be posted.", registry=self.registry
        )
        self.delivery_oldest = Gauge(
            "hearth_checkin_queue_oldest_seconds",
            "How long the oldest waiting check-in has been due.",
            registry=self.registry,
        )
        self.gateway_latency = Gauge(
            "hearth_gateway_latency_seconds",
            "Heartbeat round trip to Discord's gateway, by shard.",
            ("shard",),
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "hearth_event_loop_lag_seconds",
            "How late a short sleep on the event loop woke.",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self._received: OrderedDict[int, tuple[float, str]] = OrderedDict()

    def received(self, interaction: discord.Interaction) -> None:
        """Count an interaction and start timing its first answer."""
        kind = interaction_kind(interaction)
        self.interactions.labels(kind, interaction_name(interaction)).inc()
        self._received[interaction.id] = (time.perf_counter(), kind)
        while len(self._received) > _KEPT:
            self._received.popitem(last=False)

    def answered(self, interaction: discord.Interaction) -> None:
        """Record the time to the first answer (once per interaction)."""
        started = self._received.pop(interaction.id, None)
        if started is not None:
            self.answer_seconds.labels(started[1]).observe(time.perf_counter() - started[0])

    def outcome(self, interaction: discord.Interaction, outcome: str) -> None:
        """Count a refusal ("refused") or an unexpected error ("error")."""
        kind = interaction_kind(interaction)
        self.outcomes.labels(kind, interaction_name(interaction), outcome).inc()
