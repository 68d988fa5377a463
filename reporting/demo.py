# Each part of reporting's demo data lives in its own module, so each engineer owns one.
from reporting import demo_forecast


def seed(context):
    demo_forecast.seed(context)
