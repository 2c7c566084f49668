"""Pelican settings for local builds (`make html`). `publishconf.py` builds on these for `make publish`.

Every setting that is not one of Pelican's own is documented in docs/settings.md (a test checks it).
"""

from pathlib import Path

# SERIES: key (ingest, feeds, digest) -> the category name readers see; defined once, beside the ingest.
from pipeline.digest.config import DEFAULTS as digest_defaults
from pipeline.model import SERIES  # noqa: F401
from pipeline.site.magazine import newest_first
from pipeline.slugs import SUBSTITUTIONS

ROOT = Path(__file__).parent

AUTHOR = "Redactie Sociaal Werk"
SITENAME = "Sociaal Werk Magazine"
SITESUBTITLE = "Blogs, interviews en opinie uit het sociaal domein"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "nl"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# content/tags/ holds theme descriptions, read by the site, not articles or pages.
ARTICLE_EXCLUDES = ["tags"]
PAGE_EXCLUDES = ["tags"]

RELATIVE_URLS = True
# Pelican's Markdown settings, plus sane_lists: a numbered list starts at its first number ("3. ..." stays 3,
# as the ingest writes the numbers a page gives), and bullets and numbers never merge into one list.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}
# One slug function for the ingest and Pelican (pipeline/slugs.py): letters transliterated, never dropped.
SLUG_REGEX_SUBSTITUTIONS = SUBSTITUTIONS
CATEGORY_REGEX_SUBSTITUTIONS = SUBSTITUTIONS
TAG_REGEX_SUBSTITUTIONS = SUBSTITUTIONS
AUTHOR_REGEX_SUBSTITUTIONS = SUBSTITUTIONS
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/pagina/{number}/", "{base_name}/pagina/{number}/index.html"),
)
# Same-day articles sorted by slug: Pelican reads files in set order, which changes between runs.
ARTICLE_ORDER_BY = newest_first

THEME = str(ROOT / "themes" / "movisies")
PLUGINS = [
    "pipeline.site.oneline",  # Pelican's fatal errors in one line (the traceback with -D)
    "pipeline.site.cachefiles",  # Pelican's cache saved whole, and a broken one rebuilt
    "pipeline.site.prefetch",  # articles read on both cores (speed)
    "pipeline.site.sanitize",  # every other plugin and template sees sanitized content
    "pipeline.site.images",  # responsive images (Pillow), made once per image into IMAGES_CACHE_PATH
    "pipeline.site.dates",
    "pipeline.site.magazine",
    "pipeline.site.tags",
    "pipeline.site.feeds",
    "pipeline.site.urls",  # each URL computed once, when the content is final (speed)
    "pipeline.site.search",
    "pipeline.site.sitemap",
    "pipeline.site.newsletter",  # the sign-up block's settings in the templates
]
# Responsive images (pipeline.site.images): the widths made of each picture (never wider than the file),
# the encoders' qualities, where the variants are kept between builds ("": CACHE_PATH/images), and the
# `sizes` of each place a picture is shown. The originals in content/images/ are not published.
STATIC_PATHS: list[str] = []
IMAGES_WIDTHS = [400, 800, 1200]
IMAGES_JPEG_QUALITY = 82
IMAGES_WEBP_QUALITY = 78
IMAGES_CACHE_PATH = ""
IMAGES_SHARE_WIDTH = 1200  # the variant shared beyond the site: og:image, JSON-LD, feeds, the digest
IMAGES_SIZES = {
    "lead": "(min-width: 40rem) 38rem, calc(100vw - 2rem)",
    "figure": "(min-width: 40rem) 38rem, calc(100vw - 2rem)",
    "card": "(min-width: 60rem) 22rem, calc(100vw - 2rem)",
    "card_lead": "(min-width: 60rem) 42rem, calc(100vw - 2rem)",
}
# Autoescape: titles and names from scraped pages are text, never markup; article HTML is marked |safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# Clean Dutch URLs: /2018/slug/, /reeks/opinie/, /thema/slug/, /auteur/slug/, /archief/, /zoeken/.
ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
PAGE_URL = "pagina/{slug}/"
PAGE_SAVE_AS = "pagina/{slug}/index.html"
CATEGORY_URL = "reeks/{slug}/"
CATEGORY_SAVE_AS = "reeks/{slug}/index.html"
CATEGORIES_URL = "reeks/"
CATEGORIES_SAVE_AS = "reeks/index.html"
TAG_URL = "thema/{slug}/"
TAG_SAVE_AS = "thema/{slug}/index.html"
TAGS_URL = "thema/"
TAGS_SAVE_AS = "thema/index.html"
AUTHOR_URL = "auteur/{slug}/"
AUTHOR_SAVE_AS = "auteur/{slug}/index.html"
AUTHORS_URL = "auteur/"
AUTHORS_SAVE_AS = "auteur/index.html"
ARCHIVES_URL = "archief/"
ARCHIVES_SAVE_AS = "archief/index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives", "search", "404"]
SEARCH_URL = "zoeken/"
SEARCH_SAVE_AS = "zoeken/index.html"

# Feeds come only from pipeline.site.feeds (feedgen); Pelican's own writer is off. No wall clock anywhere.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEEDS_PATH = "feeds"
FEEDS_ALL_SLUG = "alles"
FEED_MAX_ITEMS = 50
# Feeds and the sitemap need absolute URLs; locally they point at `make serve` (publishconf sets the real).
FEED_DOMAIN = "http://localhost:8000"

# One line under each series name on its page and in the overview of series.
SERIES_INTROS = {
    "Blog": "Sociaal werkers en onderzoekers over wat ze zien in hun werk.",
    "Interview": "Gesprekken met mensen uit het sociaal domein: bestuurders, werkers, bewoners.",
    "Opinie": "Standpunten en beschouwingen over sociaal werk en sociaal beleid.",
}

# --- The digest: its settings (DIGEST_*) and their defaults are in pipeline/digest/config.py, documented in
# docs/digest.md; set one here to change it. Its editorials (content/editions/) are not articles or pages.
ARTICLE_EXCLUDES = [*ARTICLE_EXCLUDES, digest_defaults["DIGEST_EDITORIALS"]]
PAGE_EXCLUDES = [*PAGE_EXCLUDES, digest_defaults["DIGEST_EDITORIALS"]]
