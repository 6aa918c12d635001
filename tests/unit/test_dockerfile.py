"""The image holds everything Hearth reads at run time (the catalogs too, or it speaks English)."""

from __future__ import annotations

from pathlib import Path

from bot.i18n.catalogs import LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_copies_code_migrations_data_and_catalogs() -> None:
    """Every folder Hearth reads when it runs is copied into the image."""
    copied = {
        source
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    }
    assert {"bot", "cogs", "migrations", "data", "alembic.ini"} <= copied
    assert LOCALES_DIR.relative_to(ROOT).as_posix() in copied
