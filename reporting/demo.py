# Each part of reporting's demo data lives in its own module, so each engineer owns one. The dashboard's runs
# last: it computes the snapshots from everything the other demos wrote.
from reporting import demo_dashboard, demo_forecast


def seed(context):
    demo_forecast.seed(context)
    demo_dashboard.seed(context)
