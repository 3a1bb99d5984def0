"""The bundle's entry point: the same `main` as the `ticketdesk` command of a pip install."""

import sys

from ticketdesk.app import main

if __name__ == "__main__":
    sys.exit(main())
