import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, with no URL: only the code that reads them (the import) can reach them.
    The location is read from the setting on each use, so it can change (tests) after the model is loaded."""

    def __init__(self, **kwargs):
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL.")
