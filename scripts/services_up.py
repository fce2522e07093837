"""Exit 0 when PostgreSQL (argv[1], a DATABASE_URL) and Redis (argv[2], a REDIS_URL) both answer, else 1."""

import sys

import psycopg
import redis

try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
    redis.Redis.from_url(sys.argv[2], socket_connect_timeout=3).ping()
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"services not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
