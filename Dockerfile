# vidrek image: API and worker share it. Models are built at image build time (npm + a build-only venv).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY workers workers
COPY pipelines pipelines
RUN pip install --no-cache-dir . \
    && pip install --no-cache-dir --force-reinstall --no-deps "opencv-python-headless==$(python -c 'import importlib.metadata as m; print(m.version("opencv-python-headless"))')"
ENV VIDREK_MODEL_DIR=/models
RUN vidrek models && rm -rf /build-venv /root/.npm
EXPOSE 8000
CMD ["vidrek", "api"]
