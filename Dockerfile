# One Punchcard API instance. docker-compose.yml runs two of these behind nginx, on PostgreSQL
# and Redis; on its own (`docker run -p 4000:4000 …`) it serves the embedded database in /data.
FROM node:24-slim

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. npm ci's postinstall runs
# `prisma generate`, which reads prisma/schema.prisma.
COPY package.json package-lock.json ./
COPY prisma ./prisma
RUN npm ci && npm cache clean --force

COPY . .

# NODE_ENV only after `npm ci`: set before it, npm would skip the devDependencies.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    LOG_FORMAT=json
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000

# Healthy = ready to serve: database reachable, migrations applied, Redis reachable when
# configured (GET /readyz). The slim image has no curl; Node's fetch does it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "start"]
