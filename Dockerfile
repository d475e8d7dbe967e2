# KMU Digital-Berater: the Telegram bot in a container. The database lives on the volume /data.
#   docker build -t kmu-berater .
#   docker run -d --env-file .env -v kmu-data:/data --name kmu-berater kmu-berater
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/kmu_berater.db \
    WEBHOOK_LISTEN=0.0.0.0 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app

# Dependencies first, from pyproject.toml alone: a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY run_bot.py ./
COPY bot/ bot/
COPY dialogs/ dialogs/
COPY locales/ locales/
# Bytecode compiled into the image: with PYTHONDONTWRITEBYTECODE the bot would compile its own modules from
# source at every start, ~0.1-0.2 s of CPU before its first poll (the libraries pip installed are compiled).
RUN python -m compileall -q bot dialogs

# An unprivileged user that owns only the data volume.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin kmu \
    && mkdir /data && chown kmu /data
USER kmu
VOLUME ["/data"]

# Only used with WEBHOOK_URL set; polling needs no open port.
EXPOSE 8443

HEALTHCHECK --interval=60s --timeout=20s --start-period=20s --retries=3 \
    CMD ["python", "run_bot.py", "check", "--offline"]

CMD ["python", "run_bot.py", "telegram"]
