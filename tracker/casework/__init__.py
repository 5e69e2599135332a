"""What auditors do with findings: reviews, the evidence pack, exports and the command-line reports.

Imports tracker.engine, tracker.access, tracker.store and below.
"""
