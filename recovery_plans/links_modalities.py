def episode_links(episode, user):
    """Links on the episode page to its modalities: added with the modalities pages."""
    return []
