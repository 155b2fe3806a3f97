"""The dashboard pages; shared page code lives in `pages/common/`, which Streamlit never lists as a page."""
