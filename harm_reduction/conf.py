"""Settings the harm reduction service can change without a release (docs/harm_reduction.md).

Read from Django settings when set there, otherwise these defaults.
"""

from django.conf import settings


def max_needles_adult() -> int:
    return getattr(settings, "NSP_MAX_NEEDLES_ADULT", 200)


def max_needles_under_18() -> int:
    return getattr(settings, "NSP_MAX_NEEDLES_UNDER_18", 20)
