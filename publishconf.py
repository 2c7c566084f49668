"""Pelican settings for `make publish`: the deployment settings, overridable by environment variables."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://sociaalwerk.example.nl")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
