"""Placeholder until the analysis lands."""

import streamlit as st

st.title("candidates")
st.info("This page is being built.")
