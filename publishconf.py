"""Pelican settings for `make publish`: the deployment settings, overridable by environment variables.

SITEURL    the public address of the site, without a final slash (env SITEURL)
SITENAME   the name in titles, feeds and metadata (env SITENAME)
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = (os.environ.get("SITEURL") or "https://sociaalwerk.example.nl").rstrip("/")  # the one default
SITENAME = os.environ.get("SITENAME", SITENAME)  # noqa: F405
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
