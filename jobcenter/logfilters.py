"""Request lines are logged without their query string: searches carry names (§ 35 SGB I, rule R-DS-01)."""

import logging
import re

# "GET /kunden/?q=Mustermann HTTP/1.1" -> "GET /kunden/?… HTTP/1.1"
_QUERY = re.compile(r"\?[^\s\"]*")


def strip_query(text: str) -> str:
    return _QUERY.sub("?…", text)


class StripQueryString(logging.Filter):
    """For runserver's django.server lines (args: request line, status, size), Django's
    django.request lines and gunicorn's access log (args: a dict of atoms)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            args = dict(record.args)
            for key in ("r", "U", "{raw_uri}e"):
                if isinstance(args.get(key), str):
                    args[key] = strip_query(args[key])
            if "q" in args:
                args["q"] = ""
            record.args = args
        return True
