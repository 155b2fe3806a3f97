"""Playground: placeholder until the playground issue lands."""

import streamlit as st

st.title("Playground")
st.info("The playground is being built.")
