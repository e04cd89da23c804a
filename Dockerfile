# One image for web and workers. GPU hosts run it with the NVIDIA runtime; the CPU
# torch build in pyproject is replaced by the CUDA one through TORCH_INDEX.
FROM python:3.11-slim
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_INDEX=""
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HALLMARK_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install ${TORCH_INDEX:+--index-url $TORCH_INDEX} "$TORCH_SPEC" && pip install -e '.[s3]'
RUN HALLMARK_ENV=demo DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "--chdir", "platform", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "8", "--timeout", "330", "hallmark.wsgi"]
