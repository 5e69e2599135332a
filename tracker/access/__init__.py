"""Who may do what: accounts, passwords, sessions, roles and agency scope.

Imports tracker.store and below.
"""
