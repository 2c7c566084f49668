"""Publishing pipeline: scraped pages -> Pelican articles -> blog, feeds and an email digest."""

__version__ = "0.1.0"
