"""The web adapter: Starlette views for coordinators and the JSON API."""
