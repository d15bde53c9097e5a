FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY models models
COPY platforms platforms
COPY workers workers
COPY scheduler scheduler
COPY ingress ingress
COPY sandbox sandbox
COPY imbridge imbridge
RUN pip install --no-cache-dir .
USER nobody
