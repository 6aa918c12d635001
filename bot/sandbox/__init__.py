"""The sandbox: a practice Discord server on 127.0.0.1 with the real Hearth in it, and a page.

`python -m bot sandbox` (or `python -m bot` with no DISCORD_TOKEN) starts it; see run.py.
"""
