def seed(context):
    """Demo plans: added with the plans pages."""
