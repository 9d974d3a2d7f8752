# FBA Planner: the web server, RQ workers and the scheduler all run from this image (compose.yaml).
# Runtime requirements only; the test and lint tools stay in requirements-dev.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INSTANCE_PATH=/data \
    BIND=0.0.0.0:8000

# libgomp1: LightGBM's OpenMP runtime (the wheel links it, the slim image lacks it). Not pinned
# (hadolint DL3008): the base image fixes the Debian release, and a pinned version disappears from
# its mirror at the next security update, which would break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin fba \
    && mkdir -p /data && chown fba /data

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=root:root . .
# The uid, not the name, so the host and Kubernetes' runAsNonRoot can check it (hadolint DL3066).
USER 10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# gunicorn.conf.py (read from /app) sets workers, threads and the single-process rule.
CMD ["gunicorn", "wsgi:app"]
