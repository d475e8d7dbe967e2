#!/bin/sh
# Build the container image without a Docker daemon (buildah from Debian's packages), then smoke-test it.
#
#   sudo apt-get install -y buildah podman debootstrap     # Debian 12 packages
#   sudo deploy/build-image.sh                             # builds localhost/kmu-berater:latest
#
# The Dockerfile starts from python:3.11-slim. Where that image cannot be pulled (no access to Docker Hub),
# the script makes a local base from Debian's own packages with debootstrap (Debian 12, its Python 3.11) and
# builds on that instead; it says so. Not run in CI: it needs root (or rootless podman set up) and minutes.
set -eu

cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/kmu-berater:latest}
BASE=${BASE:-docker.io/library/python:3.11-slim}
LOCAL_BASE=localhost/kmu-base:bookworm
ROOTFS=${ROOTFS:-/var/tmp/kmu-base-rootfs}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

say() { printf '%s\n' "build-image: $*" >&2; }

local_base() {
    if podman image exists "$LOCAL_BASE"; then
        say "using the local base $LOCAL_BASE built earlier"
        return
    fi
    say "building the local base $LOCAL_BASE from Debian's packages (debootstrap bookworm)"
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$ROOTFS" "$MIRROR" >/dev/null
    # What python:3.11-slim does not carry either: apt lists, docs, man pages, locales.
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/usr/share/doc/* \
        "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*
    tar -C "$ROOTFS" -c . | podman import --change 'CMD ["/bin/bash"]' - "$LOCAL_BASE" >/dev/null
    rm -rf "$ROOTFS"
}

if podman image exists "$BASE" || podman pull -q "$BASE" >/dev/null 2>&1; then
    say "base image $BASE"
else
    say "cannot pull $BASE; building on a local Debian 12 base instead"
    local_base
    BASE=$LOCAL_BASE
fi

# Inside another container (a CI runner, a sandbox) crun may refuse hybrid cgroups and setting rlimits:
# fall back to runc without podman's default ulimits, and say so.
if ! podman run --rm --network none "$BASE" true >/dev/null 2>&1; then
    conf=$(mktemp)
    printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' > "$conf"
    export CONTAINERS_CONF="$conf"
    podman run --rm --network none "$BASE" true ||
        { say "podman cannot run containers here, even with runc and no ulimits"; exit 1; }
    say "podman's default runtime cannot start containers here; using runc without default ulimits"
fi

# Behind a TLS-inspecting proxy pip needs the host's CA bundle: mounted for the build only (PIP_CERT, as
# pip on the host uses it), never copied into the image.
set -- --build-arg "BASE=$BASE"
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
    set -- "$@" -v "$PIP_CERT:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt
    say "pip in the build trusts the host's CA bundle $PIP_CERT (mounted, not copied)"
fi

start=$(date +%s)
buildah build --format docker --network host --layers "$@" -t "$IMAGE" -f Dockerfile . >&2
end=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "built $IMAGE in $((end - start)) s, $((size / 1000000)) MB"

# Smoke test: every command an operator runs in the container, on a throwaway volume.
data=$(mktemp -d)
chmod 777 "$data"  # the image runs as uid 10001
trap 'rm -rf "$data"' EXIT
run() { podman run --rm --network none -v "$data:/data" "$IMAGE" "$@"; }
answers='12\n1,5 Mio\ng\na\na\n1\n1\n1\n2\n2\n15\n3\n1\n2\n3\nok\n'
run python run_bot.py check --offline
printf "$answers" | podman run --rm -i --network none -v "$data:/data" "$IMAGE" \
    python run_bot.py console --lang de --json --pdf /data/smoke.pdf | tail -n 1 | cut -c 1-120
test -s "$data/smoke.pdf" && say "PDF written: $(wc -c < "$data/smoke.pdf") bytes"
run python run_bot.py export --format xlsx --output /data/smoke.xlsx --k 2
run python run_bot.py retention --dry-run
# The health check of a bot that is not running must fail ...
if run python run_bot.py health; then
    say "FAIL: the health check passed without a running bot"
    exit 1
fi
say "health check without a running bot: unhealthy, as it should be"

# ... and that of a running bot pass: the bot polls the project's Bot API fake (tests/support/botapi_fake.py,
# standard library only) on this host, and podman runs the image's own HEALTHCHECK.
token=123456:smoke-test-token-0123456789
port_file=$(mktemp)
python3 -c "
import sys, time
from tests.support.botapi_fake import BotApiFake
fake = BotApiFake('$token', bot_username='SmokeBot').start()
open(sys.argv[1], 'w').write(fake.base_url)
time.sleep(600)
" "$port_file" &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; podman rm -f kmu-smoke >/dev/null 2>&1; rm -rf "$data" "$port_file"' EXIT
while [ ! -s "$port_file" ]; do sleep 0.2; done
podman run -d --name kmu-smoke --network host -v "$data:/data" -e TELEGRAM_BOT_TOKEN="$token" \
    -e TELEGRAM_API_BASE_URL="$(cat "$port_file")" -e PRIVACY_CONTACT="Smoke test" "$IMAGE" >/dev/null
for _ in $(seq 30); do
    if podman healthcheck run kmu-smoke >/dev/null 2>&1; then break; fi
    sleep 1
done
podman exec kmu-smoke python run_bot.py health
podman healthcheck run kmu-smoke && say "HEALTHCHECK of the running bot: healthy"
podman logs kmu-smoke 2>&1 | tail -n 5
podman stop -t 10 kmu-smoke >/dev/null
say "smoke test passed"
