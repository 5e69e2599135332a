"""Files in: input contracts, readers per format, row validation, writes, the upload report, templates.

Imports tracker.access, tracker.store and below; never the engine.
"""
