"""Reallocation before purchase (调剂, docs/reallocation.md): the idle pool, planned purchases, matching, savings.

A layer between the casework and the engine: it reads the engine's snapshot (per-asset utilisation and
findings) and the reviews' table, and is read by the views, the command line and the pages.
"""
