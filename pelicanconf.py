"""Pelican settings for local builds (`make html`). `publishconf.py` builds on these for `make publish`."""

from pathlib import Path

ROOT = Path(__file__).parent

AUTHOR = "Redactie Sociaal Werk"
SITENAME = "Sociaal Werk Magazine"
SITESUBTITLE = "Blogs, interviews en opinie uit het sociaal domein"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "nl"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# The series: key (used by the ingest, the feeds and the digest) -> the category name shown to readers.
SERIES = {"blog": "Blog", "interview": "Interview", "opinion": "Opinie"}

# content/tags/ holds theme descriptions, read by the site, not articles or pages.
ARTICLE_EXCLUDES = ["tags"]
PAGE_EXCLUDES = ["tags"]

RELATIVE_URLS = True
DEFAULT_PAGINATION = 10

# No wall clock anywhere: feeds are written by our own plugin from article dates.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
