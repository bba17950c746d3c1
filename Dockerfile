FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY roundtable ./roundtable
COPY deliberation ./deliberation
COPY frontend ./frontend
COPY manage.py ./
RUN pip install --no-cache-dir . \
 && DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --system roundtable
USER roundtable
EXPOSE 8000
# Without --proxy-headers: set ROUNDTABLE_TRUSTED_PROXIES to the reverse proxy's address instead.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "roundtable.asgi:application"]
