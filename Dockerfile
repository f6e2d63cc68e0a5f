# Debian 13: its PostgreSQL client (pg_dump/pg_restore 17) matches the database image in
# docker-compose.yml, which `waystation backup` and `restore` need.
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY stations ./stations
COPY bot ./bot
COPY scheduler ./scheduler
RUN pip install . && useradd --system --home /app waystation
USER waystation

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["waystation", "serve", "--host", "0.0.0.0", "--port", "8000"]
