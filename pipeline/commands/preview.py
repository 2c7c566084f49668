"""``python -m pipeline preview``: what `make serve` runs. Serves the built site on this machine.

(``serve`` is the newsletter service's command, as issue 14 names it.)

A `make html` build has relative links and is served as it is. A `make publish` build links every page,
style sheet and script to its public address (SITEURL), which a browser here would fetch from the real site
(or not at all): its stamp names that address, and each text file is served with it replaced by this
server's, so the published site shows here as it will online, styles and search included.
"""

from __future__ import annotations

import argparse
import io
from http import server
from pathlib import Path

from pelican.server import ComplexHTTPRequestHandler

from pipeline.errors import UserError
from pipeline.site import publish

HELP = "serve the built site at http://SERVER:PORT/ (a published build with its links pointed here)"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "application/atom")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=Path("output"), help="the built site")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")


class Handler(ComplexHTTPRequestHandler):
    """Pelican's handler; with a public address to replace, text files are served with this server's."""

    public = ""
    local = ""

    def send_head(self) -> io.BufferedIOBase | None:
        path = Path(self.translate_path(self.path))
        kind = self.guess_type(str(path))
        if not (self.public and path.is_file() and kind.startswith(TEXT_TYPES)):
            return super().send_head()
        data = path.read_bytes().replace(self.public.encode(), self.local.encode())
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def run(args: argparse.Namespace) -> int:
    if not (args.output / "index.html").is_file():
        raise UserError(f"{args.output}/ holds no built site: run `make html` or `make publish` first")
    local = f"http://{args.bind}:{args.port}"
    public = publish.stamped(args.output).get("siteurl", "").rstrip("/")
    handler = type("Served", (Handler,), {"public": public, "local": local, "base_path": str(args.output)})
    httpd = server.ThreadingHTTPServer((args.bind, args.port), handler)
    what = f"the published site ({public} shown as {local})" if public else "the site"
    print(f"Serving {what} at {local}/ (Ctrl-C stops)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
