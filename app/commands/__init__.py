"""`flask --app wsgi` command groups, one module each, registered in app/cli.py."""
