"""The group agreement: its versions, the acceptance ledger, standing and quiz."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class AgreementVersion(Base):
    """One saved version of a server's group agreement."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("guild_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    change_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgreementAcceptance(Base):
    """The ledger: who accepted which version, and when."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index(
    "ix_agreement_acceptances_guild_user", AgreementAcceptance.guild_id, AgreementAcceptance.user_id
)


class AgreementStanding(Base):
    """Where one member stands with the agreement: role granted, re-acceptance asked."""

    __tablename__ = "agreement_standing"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    accepted_number: Mapped[int] = mapped_column(Integer)
    role_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_number: Mapped[int | None] = mapped_column(Integer)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    asked_by_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    told_in_app: Mapped[bool] = mapped_column(Boolean, default=False)
    role_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(10))
    """The language the member last accepted in (a shipped code), for messages sent later."""


class AgreementQuiz(Base):
    """An optional comprehension question asked before acceptance."""

    __tablename__ = "agreement_quiz"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    question: Mapped[str] = mapped_column(String(200))
    options: Mapped[list] = mapped_column(JSON)
    correct_index: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgreementQuizResult(Base):
    """Pass or fail of one quiz attempt; the answer given is never kept."""

    __tablename__ = "agreement_quiz_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
