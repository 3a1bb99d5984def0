"""ticketdesk: a desktop help desk for small support teams."""

__version__ = "0.1.0"
