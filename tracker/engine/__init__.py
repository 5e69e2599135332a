"""Utilisation and findings: metrics over the calendar, the rule catalogue and its expressions, running it on DuckDB or a lake.

Reads tables, never files. Imports tracker.store and below.
"""
