"""Email (issue 15): mail in (IMAP fetch, .eml/mbox import) becomes tickets and conversation,
replies go out through an outbox (SMTP). Nothing here imports Qt: the window calls these
functions from a worker thread. See ticketdesk/ARCHITECTURE.md ("Mail").

- settings.py  where the mailbox is, the password, Test Connection
- parse.py     bytes -> ParsedMail (never a traceback)
- intake.py    a ParsedMail -> a new ticket or a turn of an existing one, one transaction
- fetch.py     one IMAP pass with a UIDVALIDITY/UID checkpoint
- outbox.py    queue replies and acknowledgements
- send.py      send the outbox over SMTP, once
- signature.py an agent's signature under their replies
- importing.py .eml files, mbox files, folders of .eml
"""
