"""Settings the harm reduction service can change without a release (docs/harm_reduction.md).

Read from Django settings when set there, otherwise these defaults.
"""

from django.conf import settings


def max_needles_adult() -> int:
    return getattr(settings, "NSP_MAX_NEEDLES_ADULT", 200)


def max_needles_young_person() -> int:
    """Young people (under `ADULT_SERVICE_MIN_AGE`, the ESAP range) are given fewer needles than adults (SPEC 10.2)."""
    return getattr(settings, "NSP_MAX_NEEDLES_YOUNG_PERSON", 20)


def young_person_age_limit() -> int:
    """The first age that is not a young person at the NSP: the same boundary setting as routing to ARM
    (domain.md section 2 steps 1 and 9), so 24 is young and 25 is not."""
    return settings.ADULT_SERVICE_MIN_AGE


SAFEGUARDING_AGE = 18  # under 18 is a child: a safeguarding matter as well (domain.md step 9)
