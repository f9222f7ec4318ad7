"""The command line: thin Typer commands that parse, call the library and print.

`app.py` builds the app and turns domain errors into one line and an exit code; each
stage's commands live in a module of their own here and are registered by `app.py`.
"""
