"""The benchmark of `make bench`: a generated corpus, one runner per measurement, a table and JSON.

See docs/bench.md for what is measured, how, and the targets.
"""
