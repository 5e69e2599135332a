"""Dashboard entry point of a checkout (`streamlit run app.py`, bin/dashboard): runs the packaged tracker/ui/app.py."""

import runpy

runpy.run_module("tracker.ui.app", run_name="__main__")
