"""Background jobs: RQ on Redis when REDIS_URL is set, an in-process runner otherwise.

Call `jobs.dispatch.enqueue` / `enqueue_sync`; never import RQ elsewhere in the app.
"""
