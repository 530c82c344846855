"""Top floor: the `kg` command line and the Streamlit app."""
