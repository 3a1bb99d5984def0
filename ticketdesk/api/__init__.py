"""The HTTP API for integrations (issue 22): `ticketdesk serve`.

A layer beside `ui/`: `api -> services -> db -> domain`. It never imports Qt, `ui/` or the
command line, and nothing below it imports it (tests/unit/test_layers.py). Starlette and uvicorn
are the optional extra `api` (`pip install 'ticketdesk[api]'`): only this package imports them.
"""
