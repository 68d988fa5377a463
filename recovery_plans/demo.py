"""Recovery plan demo: modalities first (their start dates decide when a plan is due), then plans in every state."""

from recovery_plans import demo_modalities, demo_plans


def seed(context):
    demo_modalities.seed(context)
    demo_plans.seed(context)
