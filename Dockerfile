# Doorstep API image: Python 3.11 + the system libraries WeasyPrint needs.
#   docker build -t doorstep .
#   docker run --rm -e DOORSTEP_SECRET_KEY=... -e DOORSTEP_DATABASE_URL=... -p 8000:8000 doorstep
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DOORSTEP_DOCUMENT_CACHE_DIR=/var/cache/doorstep

# Pango and HarfBuzz subsetting for WeasyPrint; fontconfig so it finds the project's own font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer: code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install . \
    && pip uninstall -y doorstep \
    && rm -rf app build ./*.egg-info

# The project itself. Installed in place (-e) because alembic.ini, migrations/ and templates/
# are read from the project directory, next to app/.
COPY . .
RUN pip install --no-deps -e . \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin doorstep \
    && mkdir -p /var/cache/doorstep \
    && chown doorstep /var/cache/doorstep
USER doorstep

EXPOSE 8000
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
