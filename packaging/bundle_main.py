"""The bundle's entry point: the same `main` as the `ticketdesk` command of a pip install.

`freeze_support` first: the demo generator's worker processes start the bundle's executable
again, and this call turns such a start into the worker instead of a second ticketdesk.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from ticketdesk.app import main

    sys.exit(main())
