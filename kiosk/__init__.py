"""Streamlit pages and widgets of the kiosk (visitor flow and staff page); no business logic."""
