#!/usr/bin/env python3
"""Entry script for a checkout, like Django's manage.py: `python cli.py plan ...`."""

from wfm.cli.app import main

if __name__ == "__main__":
    main()
