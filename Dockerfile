# KMU Digital-Berater: the Telegram bot in a container. The database lives on the volume /data.
#   docker build -t kmu-berater .            (or without a daemon: deploy/build-image.sh, buildah)
#   docker run -d --env-file .env -v kmu-data:/data --name kmu-berater kmu-berater
# BASE may be any Debian-like image with Python 3.11 and its venv module (build-image.sh makes one from
# Debian's packages where Docker Hub cannot be reached).
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    DATABASE_PATH=/data/kmu_berater.db \
    WEBHOOK_LISTEN=0.0.0.0 \
    MPLCONFIGDIR=/opt/matplotlib

WORKDIR /app

# Dependencies first, from pyproject.toml and the pinned versions alone: a code change does not reinstall
# them, and two builds of one commit install the same versions (deploy/constraints.txt, see its header).
COPY pyproject.toml deploy/constraints.txt ./
# Only for a build behind a TLS-inspecting proxy (build-image.sh mounts the CA bundle); not kept in the image.
ARG PIP_CERT
RUN python3 -m venv /opt/venv \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c constraints.txt \
    && rm /tmp/requirements.txt \
    && find /opt/venv -name tests -type d -path '*/site-packages/*/tests' -prune -exec rm -rf {} + \
    # matplotlib's font list, built once here: no font scan at the bot's first chart.
    && python -c "import matplotlib.font_manager as f; f.findfont('DejaVu Sans')"

COPY run_bot.py ./
COPY bot/ bot/
COPY dialogs/ dialogs/
COPY locales/ locales/
# Bytecode compiled into the image: with PYTHONDONTWRITEBYTECODE the bot would compile its own modules from
# source at every start, ~0.1-0.2 s of CPU before its first poll (the libraries pip installed are compiled).
RUN python -m compileall -q bot dialogs

# An unprivileged user that owns only the data volume.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin kmu \
    && mkdir /data && chown kmu /data && chmod 700 /data \
    # matplotlib uses its cache only where it may write it (else it rebuilds one in /tmp on every start).
    && chown -R kmu /opt/matplotlib
USER kmu
VOLUME ["/data"]

# Only used with WEBHOOK_URL set; polling needs no open port.
EXPOSE 8443

# Alive means: the running bot's event loop touched its heartbeat (/data/kmu_berater.db.alive) within 90 s.
# The database's integrity check is `run_bot.py check`, for operators, not every minute.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "run_bot.py", "health"]

CMD ["python", "run_bot.py", "telegram"]
