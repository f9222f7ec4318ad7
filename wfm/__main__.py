"""`python -m wfm` runs the command line."""

from wfm.cli.app import main

main()
