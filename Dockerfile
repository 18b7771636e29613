FROM python:3.11-slim
WORKDIR /srv/crsv-registry
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && useradd --system --no-create-home crsv
USER crsv
EXPOSE 8000
# Migrates the database to the latest revision, then serves.
CMD ["crsv-registry", "serve", "--host", "0.0.0.0", "--port", "8000"]
