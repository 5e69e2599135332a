"""Demo data: a generated world of agencies, purchases, assets and usage with planted findings, and loading it on first run.

Imports the core; nothing of the core imports it.
"""
