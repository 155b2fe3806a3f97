"""The dashboard's view-model: the view and its URL codec, tables, chart figures and extra pages.

Plain functions over catalog records, with no Streamlit in them; `pages/` draws what these return.
"""
