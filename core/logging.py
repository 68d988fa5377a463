"""Log lines for people reading the console: a refused request (403 Forbidden, 404 Not Found) is the site doing
its job, so it is logged as its one line, without the traceback of the PermissionDenied or Http404 behind it."""

import logging


class OneLineRefusals(logging.Filter):
    def filter(self, record):
        if record.name == "django.request" and 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
