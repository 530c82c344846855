"""Placeholder until the analysis lands."""

import streamlit as st

st.title("signals")
st.info("This page is being built.")
