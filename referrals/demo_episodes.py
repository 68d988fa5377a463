"""Demo allocations, caseloads and discharged episodes: written by the episodes half of issue 3."""


def seed(context):
    """Nothing yet: intake's demo people are complete without it."""
