"""FastAPI dispatch service: routers, schemas, auth, the Redis state store.

Imports solver and maas; nothing imports api except the CLI.
"""
