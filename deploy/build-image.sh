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

start=$(date +%s)
buildah build --format docker --network host --layers --build-arg "BASE=$BASE" -t "$IMAGE" -f Dockerfile . >&2
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
# The health check of a bot that is not running must fail; that of a running one pass.
if run python run_bot.py health; then
    say "FAIL: the health check passed without a running bot"
    exit 1
fi
say "health check without a running bot: unhealthy, as it should be"
say "smoke test passed"
