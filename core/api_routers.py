"""The API's router: detail routes take their id through the `id` path converter (core.path_ids), so a
non-numeric, zero or negative id is a 400 naming the parameter, as on the pages, and the route walk sees
each detail route as a plain path it can fill in."""

from rest_framework.routers import SimpleRouter


class IdRouter(SimpleRouter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, use_regex_path=False, **kwargs)
        # A viewset looked up by something else than its id names its converter (`lookup_value_converter`).
        self._default_value_pattern = "id"
