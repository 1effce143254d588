"""Streamlit pages of the app (the only package besides streamlit_app.py that imports streamlit)."""
