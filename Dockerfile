FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build_assets.py scripts/
RUN apt-get update && apt-get install -y --no-install-recommends python3 && python3 scripts/build_assets.py

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/venv PATH=/venv/bin:$PATH
WORKDIR /app
RUN pip install --no-cache-dir uv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN DJANGO_SETTINGS_MODULE=jobcenter.settings.production SECRET_KEY=build-only \
    python manage.py collectstatic --noinput
USER nobody
