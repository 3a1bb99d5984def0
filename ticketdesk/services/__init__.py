"""Every operation a user can do, as plain functions over db/. No Qt.

Each write is one transaction that also writes its activity rows and returns a `Changes` value.
"""
