"""URL stubs; filled in by the owner of this area."""

urlpatterns: list = []
