"""The site: Pelican plugins for the Movisies theme (Dutch dates, article metadata, theme descriptions,
feeds built with feedgen, sitemap, Pagefind search) and the publish step that swaps a build into place."""
