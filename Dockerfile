FROM python:3.11-slim
WORKDIR /srv/crsv-registry
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml requirements.lock README.md alembic.ini ./
# The pinned, hash-checked dependencies first: this layer is rebuilt only when the lock changes.
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps -e . && useradd --system --no-create-home crsv
USER crsv
EXPOSE 8000
# Migrates the database to the latest revision (unless SERVE_MIGRATES=false), then serves.
CMD ["crsv-registry", "serve", "--host", "0.0.0.0", "--port", "8000"]
