# Intake and episode demo data live in separate modules so each engineer owns one; episodes build on
# the people and accepted referrals that intake creates, so intake runs first.
from referrals import demo_episodes, demo_intake, demo_merges, demo_sharing


def seed(context):
    demo_intake.seed(context)
    demo_episodes.seed(context)
    demo_merges.seed(context)
    demo_sharing.seed(context)
