# The web, worker and beat image (docker-compose.yml runs all three from it).
# Bookworm is pinned so the apt package names below do not change under us with a new Debian release.
FROM python:3.11-slim-bookworm

# PYTHONPATH: the source tree, not the copy pip puts in site-packages, is what runs, so settings find
# templates/ and static/ beside it (BASE_DIR) whether manage.py, gunicorn or celery is started.
# GUNICORN_CMD_ARGS: gunicorn reads it itself, so the default command and compose's share one set of
# options; the worker heartbeat file is kept in memory, as a container's /tmp can be slow overlay storage.
# Four threads per worker (gthread): a request spends much of its time waiting for PostgreSQL, and one slow
# request then holds a thread, not a whole worker (docs/deployment.md, "Gunicorn"; docs/scaling.md). Idle
# kept-alive connections stay open 75 s, longer than the proxy in front keeps them (else the two race to close).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --threads 4 --keep-alive 75 --worker-tmp-dir /dev/shm --access-logfile -"

# WeasyPrint lays out PDF text with Pango and HarfBuzz (loaded at run time, not linked at install) and
# needs fonts to draw with; Liberation Sans is metrically compatible with Arial, the NHS fallback face.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

# A home directory gives fontconfig somewhere to keep its cache, so PDFs do not rescan fonts each time.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app \
    && install --directory --owner app --group app /var/lib/celery-beat /var/lib/recovery-record/private

WORKDIR /app
COPY . .
RUN pip install -c constraints.txt . \
    && rm -rf build ./*.egg-info

# Settings only read configuration here: a throwaway key satisfies production mode, and a DATABASE_URL
# (never connected to) stops settings from starting the embedded PostgreSQL meant for laptops.
RUN APP_ENV=production \
    DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
    DATABASE_URL=postgres://build@localhost:5432/build \
    python manage.py collectstatic --noinput

# The code and collected static files stay owned by root, so the running app cannot change them.
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application"]
