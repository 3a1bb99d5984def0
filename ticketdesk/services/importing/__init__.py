"""Importing tickets from other help desks and spreadsheets (issue 16).

The pipeline a command line and a wizard share, each step callable from a worker thread:

- `sources`: read a CSV/TSV, XLSX, ODS (`ods`) or JSON/NDJSON file (encoding and separator
  detected) into rows of text cells, and `preview` its first rows;
- `domain.import_mapping`: which ticketdesk field each column feeds (`suggest`), how its status
  and priority values map, saved and loaded as a JSON preset;
- `times`: the date format of a column, the time zone of times without an offset, durations;
- `convert`: one row → one ticket's fields, every problem of the row as (kind, detail);
- `domain.import_timeline`: a row's times made sound, or the reason they cannot be;
- `events`: a file whose ticket ids repeat, grouped into tickets with their history;
- `conversations`: one row per message, the conversation and notes of each ticket;
- `plan`: the passes a dry run and an import share (`survey`: distinct values with counts,
  date order, repeated ids; `prepared`: every ticket ready to write or its problems);
- `check.dry_run`: every problem grouped by kind, nothing written;
- `run.import_`: the import in one transaction, with progress and cancel.

ticketdesk's own CSV (what `export tickets` writes) keeps its own importer, `services/importer`,
which keeps ticket numbers; it shares the encoding detection and the timeline rules.
"""
