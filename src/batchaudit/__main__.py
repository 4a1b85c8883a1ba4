"""`python -m batchaudit`: the same command line as `batchaudit`."""

from batchaudit.cli import main

main()
