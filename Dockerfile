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
# Static files are collected (hashed names, compressed) into the image at build time;
# WhiteNoise serves them, nginx passes them on.
RUN DJANGO_SETTINGS_MODULE=jobcenter.settings.production SECRET_KEY=build-only \
    python manage.py collectstatic --noinput
# Never root at run time: a system user that owns nothing in /app.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin jobcenter
USER jobcenter
ENV DJANGO_SETTINGS_MODULE=jobcenter.settings.production
EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "jobcenter.wsgi:application"]
