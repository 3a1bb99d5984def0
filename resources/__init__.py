"""ticketdesk's resources, installed as the package `ticketdesk.resources`.

The files here (icons, the freedesktop .desktop file, AppStream metainfo, translations) are the
canonical copies; pyproject.toml maps this folder into the package so that a wheel install, an
editable install and the bundle all find them with `importlib.resources`. See
`ticketdesk.ui.resources`.
"""
