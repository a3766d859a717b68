# OpenASC: the web server (`openasc serve`, gunicorn) and the same image for the worker and migrations (ADR 0011).
# Build: docker build -t openasc .   Run: see compose.yaml and README "Going live".

# --- the front end: GOV.UK Frontend compiled with the council's settings (frontend/build.mjs)
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./frontend
RUN mkdir -p openasc/ui/static && npm run --silent build

# --- the application
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# pg_dump / pg_restore for `openasc backup` and `openasc restore`: the major version must be the server's (15 in
# compose.yaml; Debian bookworm's postgresql-client is 15). Pango and HarfBuzz lay out the documents' PDFs
# (WeasyPrint, docs/adr/0013-documents-and-pdf.md); Liberation Sans has Arial's metrics (GOV.UK's font off gov.uk).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system openasc \
    && useradd --system --gid openasc --home-dir /app --no-create-home --shell /usr/sbin/nologin openasc
WORKDIR /app
# Pinned dependencies first (a layer that changes only with requirements.txt / constraints.txt).
COPY requirements.txt constraints.txt ./
RUN pip install --requirement requirements.txt --constraint constraints.txt
COPY pyproject.toml README.md ./
COPY openasc ./openasc
COPY --from=frontend /src/openasc/ui/static/ui ./openasc/ui/static/ui
RUN pip install --no-deps --editable . \
    && SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
       openasc collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/collectstatic.sqlite3
# The application cannot change its own code or static files: it runs as a user that owns nothing here but its
# private files (jobs' uploads and exports, documents' attachments: OPENASC_JOB_FILES, OPENASC_DOCUMENTS_DIR), which
# compose.yaml keeps on a volume the web server and the worker share.
RUN mkdir -p /app/private/jobs /app/private/documents && chown -R openasc:openasc /app/private
USER openasc
EXPOSE 8000
CMD ["openasc", "serve", "--bind", "0.0.0.0:8000"]
