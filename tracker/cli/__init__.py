"""The command line (`python -m tracker …`).

A top layer beside tracker.ui: imports the core, never Streamlit.
"""
