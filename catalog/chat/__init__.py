"""Talking to models through Lava's gateway: configuration, the streaming client, its errors and transcripts.

No Streamlit here: the Playground page and the CLI drive these.
"""
