FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HEARTH_DATA_DIR=/data

# A font with accents for the mood chart's words in every language Hearth speaks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 hearth \
    && mkdir -p /data \
    && chown hearth:hearth /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY cogs ./cogs
COPY emulator ./emulator
COPY migrations ./migrations
COPY data ./data
COPY locales ./locales
RUN pip install --no-cache-dir -e .

USER hearth
VOLUME ["/data"]
# `python -m bot run` applies migrations to head before connecting, and stops with one line and
# exit status 2 without DISCORD_TOKEN (plain `python -m bot` would start the sandbox instead).
CMD ["python", "-m", "bot", "run"]
