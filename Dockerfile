# One image for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 AFR_INSTANCE_PATH=/data
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pybabel compile -d translations \
    && useradd --system --uid 10001 afr && mkdir -p /data && chown afr /data
USER afr
EXPOSE 8000
# 2 sync workers per core: measured (benchmarks/RESULTS.md); raise --workers with the cores.
CMD ["gunicorn", "--workers", "2", "--worker-class", "sync", "--bind", "0.0.0.0:8000", "wsgi:app"]
