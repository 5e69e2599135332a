"""What the dashboard pages show, computed without Streamlit: filters, snapshots, KPIs, drill-downs, settings changes.

Imports everything of the core below it, never tracker.ui.
"""
