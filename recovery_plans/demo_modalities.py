def seed(context):
    """Demo modalities: added with the modalities pages."""
