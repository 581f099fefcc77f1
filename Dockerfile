# Tenantry's OCI image: `tenantry serve` in production mode, on PostgreSQL.
#
#   docker build -t tenantry:0.1.0 .
#   docker compose -f deploy/compose.yaml up -d      # with PostgreSQL; see its header
#
# The image's command is `serve --no-migrate`: migrate first with the same image and
# `db upgrade` (deploy/compose.yaml does, in its `migrate` service). Settings come from
# TENANTRY_* variables; the master key from a secret file (TENANTRY_MASTER_KEY_FILE).
# docs/operations.md, "Install", says what has been checked of this file and how.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY src/ src/
COPY client/ client/
RUN python -m pip install --no-cache-dir build==1.6.1 \
 && python -m build --wheel --outdir /dist .

FROM python:3.11-slim
COPY --from=build /dist/ /tmp/dist/
COPY constraints.txt /tmp/dist/
RUN python -m pip install --no-cache-dir -c /tmp/dist/constraints.txt /tmp/dist/tenantry-*.whl \
 && rm -rf /tmp/dist \
 && useradd --system --user-group --uid 10001 --home-dir /var/lib/tenantry --create-home tenantry
USER tenantry
WORKDIR /var/lib/tenantry
ENV TENANTRY_MODE=production \
    PYTHONUNBUFFERED=1
EXPOSE 8000
# Liveness: the process answers. Readiness (database reachable, schema current) is
# /readyz, for the load balancer.
HEALTHCHECK --interval=10s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["tenantry"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
