"""The digest: a periodic Movisies-style email edition, its web archive, and sending that never sends twice.

See docs/digest.md for the decisions (numbering, windows, the ledger) and every setting.
"""
