def episode_links(episode, user):
    """Links on the episode page to its plans: added with the plans pages."""
    return []
