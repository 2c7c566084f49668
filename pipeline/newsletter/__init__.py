"""The newsletter's readers: sign-up with double opt-in, unsubscribe, suppression and bounces.

The web service (``app``) runs beside the static site under uvicorn (`python -m pipeline serve`); it shares
the settings and the SQLite database of `subscribers` and `send`. The schema of that database lives in
``migrations``, one numbered step per change.
"""
