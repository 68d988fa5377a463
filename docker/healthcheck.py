"""The web container's health check: exit 0 when /healthz/ answers 200 (the app is up and reaches its database).

Slim images have no curl, so this uses the standard library. The request looks like one the TLS proxy
forwards: a Host that ALLOWED_HOSTS accepts and X-Forwarded-Proto https, which production settings
trust, so neither the host check (400) nor the HTTPS redirect (301) stands in for the real answer.
"""

import os
import sys
import urllib.request

URL = "http://127.0.0.1:8000/healthz/"


def allowed_host():
    hosts = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
    if not hosts or hosts[0] == "*":
        return "localhost"
    # ".example.org" allows example.org and its subdomains.
    return hosts[0].lstrip(".")


def main():
    request = urllib.request.Request(URL, headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"})
    try:
        # URL is the fixed http address of the app in this container, never input.
        with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310
            healthy = response.status == 200
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
