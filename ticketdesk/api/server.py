"""Running the API: uvicorn over `build_app`, on one open desk, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import logging
from typing import TextIO

from ticketdesk.api.app import build_app
from ticketdesk.db.store import Store


def serve(store: Store, out: TextIO, *, host: str, port: int, certfile: str | None = None,
          keyfile: str | None = None, rate: float = 20.0, burst: int | None = None) -> None:
    import uvicorn

    app = build_app(store, rate=rate, burst=burst)
    scheme = "https" if certfile else "http"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = uvicorn.Config(app, host=host, port=port, ssl_certfile=certfile,
                            ssl_keyfile=keyfile, log_level="warning", access_log=False,
                            server_header=False, proxy_headers=False, lifespan="off",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    out.write(f"Serving the desk's API on {scheme}://{host}:{port}/v2/support-tickets "
              "(Ctrl+C stops).\n")
    out.flush()
    server.run()
