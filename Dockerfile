# The bot as a container: python -m bot run, database on the /data volume.
#   docker build -t qachat-bot .
#   docker run -e DISCORD_TOKEN=... -v qachat-data:/data qachat-bot
# Mount your own chat files over /app/chats to schedule them. The bot publishes the static
# archive to /data/archive (ARCHIVE_DIR): serve that folder with any static web server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.db \
    CHATS_DIR=/app/chats \
    ARCHIVE_DIR=/data/archive

WORKDIR /app
RUN useradd --create-home --uid 10001 bot \
    && mkdir /data \
    && chown bot:bot /data

# Dependencies in their own cached layer: only a change to pyproject.toml rebuilds it.
COPY pyproject.toml README.md ./
RUN mkdir bot \
    && touch bot/__init__.py \
    && pip install . \
    && pip uninstall --yes qachat-bot \
    && rm -rf bot build ./*.egg-info

COPY bot ./bot
RUN pip install --no-deps . && rm -rf build ./*.egg-info
COPY chats ./chats

USER 10001
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
