"""The error every layer raises for what a user can act on; the command line (``pipeline.cli``) shows it as
one line and exits with status 2. It lives here, below everything, so that no lower layer imports the CLI."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; shown as one line, exit status 2."""
