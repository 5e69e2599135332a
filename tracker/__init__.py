"""Procurement and IT-asset utilisation tracker: the core, usable without any user interface."""

__version__ = "0.1.0"
