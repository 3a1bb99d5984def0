"""Plain values and rules of a help desk. No Qt, no peewee: everything here is testable alone."""
