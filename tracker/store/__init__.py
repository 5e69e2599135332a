"""The database and what is kept in it: connection and migrations, settings, category profiles, the audit log, query progress.

Knows no rules and no file formats. Imports tracker.domain and tracker.text.
"""
