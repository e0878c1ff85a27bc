import pytest

from tests.operator.conftest import operator_client, verified_operator  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def beta_team_card(db):
    """The flag that migration flags.0002 creates (a transactional test's flush removes it)."""
    from zargar.flags.models import Flag

    return Flag.objects.get_or_create(name="beta_team_card", defaults={"superusers": False})[0]
