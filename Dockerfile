# One image for web and workers. GPU hosts run it with the NVIDIA runtime; the CPU
# torch build in pyproject is replaced by the CUDA one through TORCH_INDEX.
FROM python:3.11-slim
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_INDEX=""
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HALLMARK_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Only what the image runs (see .dockerignore: keys, .env and var/ never enter a layer);
# the project metadata and libraries first, so code edits reuse the dependency layer.
COPY pyproject.toml README.md ./
COPY generation ./generation
COPY moderation ./moderation
COPY provenance ./provenance
RUN pip install ${TORCH_INDEX:+--index-url $TORCH_INDEX} "$TORCH_SPEC" && pip install -e '.[s3]'
# MiniLM's int8 ONNX file (not committed: ~23 MB), built into the image so no worker builds it.
RUN python -m moderation.onnx_encoder
COPY manage.py ./
COPY platform ./platform
# collectstatic needs settings, not secrets: a throwaway key, and var/ removed from the layer.
RUN HALLMARK_ENV=demo DJANGO_SECRET_KEY=build STATIC_ROOT=/app/static python manage.py collectstatic --noinput \
    && rm -rf /app/var
ENV STATIC_ROOT=/app/static
EXPOSE 8000
# Web processes: gunicorn reads WEB_CONCURRENCY (about one per core); each has HALLMARK_WEB_CPU_SLOTS
# (default 1) slot for decoding, verifying and moderating. Threads are many and cheap: a thread
# waiting for a slot or on a bounded sync wait must not make GET /v1/models queue (issue #13).
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "--chdir", "platform", "--bind", "0.0.0.0:8000", "--threads", "32", "--timeout", "330", "hallmark.wsgi"]
