"""Streamlit pages and components: thin renderers over the core's functions."""
