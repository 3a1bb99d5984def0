import sys

from ticketdesk.app import main

sys.exit(main())
