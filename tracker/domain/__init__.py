"""The vocabulary every layer shares: equipment categories with their profiles, and the calendar (workdays, fiscal years).

Imports only tracker.text.
"""
