"""Words and numbers as users read them: the translation table, formatting, and the errors that carry a message.

Imports nothing else of the tracker.
"""
