# peewee 4 ships stubs that type `query.tuples()` as yielding model instances and do not know
# foreign-key `*_id` accessors, which would need an ignore on every query. ticketdesk treats
# peewee as untyped instead; pyproject.toml points mypy here (mypy_path).
from typing import Any

def __getattr__(name: str) -> Any: ...
