"""Pelican's fatal errors in one line: its ``main`` logs every exception with its traceback, which would reach
the editor from `make publish` (a full disk, a broken template). The traceback stays for ``pelican -D``
(``PELICANOPTS=-D``), as the pipeline's own commands keep theirs for ``--debug``."""

from __future__ import annotations

import logging


class OneLine(logging.Filter):
    """Drops the traceback of a record unless the log shows debug records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not logging.getLogger().isEnabledFor(logging.DEBUG):
            record.exc_info, record.exc_text = None, None
        return True


def register() -> None:
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLine())
