"""Placeholder until the analysis lands."""

import streamlit as st

st.title("cypher")
st.info("This page is being built.")
