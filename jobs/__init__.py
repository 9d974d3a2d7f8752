"""Background-job infrastructure: queues, locks, the worker, the in-process runner, progress.

RQ on Redis when REDIS_URL is set, an in-process runner otherwise. This package never imports
the application: the app hands it its factory and job store (jobs.host) and declares its tasks
(jobs.tasks.Task, in app/tasks.py); never import RQ anywhere else.
"""
