"""Feature flags: every evaluation rule, percentage stability, the kill switch, the history
(append-only), the template tag, waffle's own API, the operator screens and the beta card."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.template import Context, Template
from django.test import RequestFactory
from waffle import flag_is_active

from tests.factories import make_member, make_shop, make_user
from zargar import flags
from zargar.audit.models import PlatformEvent
from zargar.flags import services
from zargar.flags.models import Flag, FlagChange, FlagShop
from zargar.tenancy.models import Role, Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return make_user("op-flags@example.com", is_superuser=True, is_staff=True)


def new_flag(actor, name="beta", **values):
    return services.create_flag(name, actor=actor, **values)


def test_unknown_flag_is_off_everywhere():
    tenant, owner = make_shop()
    assert flags.is_active("no_such_flag", tenant, user=owner) is False
    assert flags.is_active("no_such_flag", None) is False


def test_a_new_flag_is_off_and_operators_get_no_free_pass(actor):
    tenant, owner = make_shop()
    new_flag(actor)
    assert not flags.is_active("beta", tenant, user=owner)
    assert not flags.is_active("beta", tenant, user=actor)  # superusers: off unless `superusers` is set


def test_global_on_and_off(actor):
    tenant, owner = make_shop()
    flag = new_flag(actor, shops=[tenant])
    services.set_everyone(flag, True, actor=actor)
    other, _ = make_shop()
    assert flags.is_active("beta", other) and flags.is_active("beta", None)
    services.set_everyone(flag, False, actor=actor)
    assert not flags.is_active("beta", tenant, user=owner)  # off for everyone beats the shop rule
    services.set_everyone(flag, None, actor=actor)
    assert flags.is_active("beta", tenant) and not flags.is_active("beta", other)


def test_shop_targeting(actor):
    a, _ = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    flag = new_flag(actor, shops=[a])
    assert flags.is_active("beta", a) and not flags.is_active("beta", b)
    services.update_flag(flag, actor=actor, shops=[b])
    assert not flags.is_active("beta", a) and flags.is_active("beta", b)


def test_shop_bucket_is_sha256_of_name_and_shop_id_mod_100():
    # Computed by hand: int(sha256(b"beta:1").hexdigest(), 16) % 100 == 53, "beta:2" -> 79, "beta:3" -> 48.
    assert [services.shop_bucket("beta", i) for i in (1, 2, 3)] == [53, 79, 48]


def test_percentage_of_shops_is_stable_and_grows_monotonically(actor):
    flag = new_flag(actor)
    shops = [Tenant(pk=i, name=f"s{i}", slug=f"s{i}") for i in range(1, 1001)]  # evaluation needs only the id
    previous: set[int] = set()
    for percent in (0, 1, 10, 25, 50, 75, 100):
        flag = services.update_flag(flag, actor=actor, shop_percent=percent)
        on = {t.pk for t in shops if services.evaluate(Flag.get("beta"), tenant=t)}
        assert previous <= on  # a shop that was in stays in
        assert abs(len(on) - percent * 10) <= 40, (percent, len(on))  # about the percentage of 1,000 shops
        assert on == {t.pk for t in shops if services.shop_bucket("beta", t.pk) < percent}
        again = {t.pk for t in shops if services.evaluate(Flag.get("beta"), tenant=t)}
        assert again == on  # the same answer every time (no randomness, no cookie)
        previous = on
    assert len(previous) == 1000
    # Another flag at the same percentage picks other shops (the name is part of the hash).
    other = new_flag(actor, name="gamma", shop_percent=50)
    half = {t.pk for t in shops if services.evaluate(other, tenant=t)}
    flag = services.update_flag(flag, actor=actor, shop_percent=50)
    assert half != {t.pk for t in shops if services.evaluate(Flag.get("beta"), tenant=t)}


def test_user_targeting(actor):
    tenant, owner = make_shop()
    staff = make_member(tenant, "member")
    new_flag(actor, users=[staff])
    assert flags.is_active("beta", tenant, user=staff)
    assert not flags.is_active("beta", tenant, user=owner)
    assert flags.is_active("beta", None, user=staff)  # user rules need no shop


def test_role_targeting_uses_the_role_in_the_current_shop(actor):
    a, owner_a = make_shop("Alpha Gold")
    b, owner_b = make_shop("Beta Gold")
    viewer = make_member(a, "viewer", email="viewer@example.com")
    from zargar.tenancy.actions import add_member

    add_member(b, viewer, "owner")  # owner in B, viewer in A
    new_flag(actor, roles=[Role.OWNER])
    assert flags.is_active("beta", a, user=owner_a)
    assert not flags.is_active("beta", a, user=viewer)
    assert flags.is_active("beta", b, user=viewer)
    assert not flags.is_active("beta", a)  # no user, no role


def test_request_evaluation_uses_the_shop_from_the_session(client, actor):
    a, owner = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    from zargar.tenancy.actions import add_member

    add_member(b, owner, "member")
    new_flag(actor, name="beta_team_card_test", shops=[b])
    client.force_login(owner)
    client.post(f"/app/switch/{a.slug}/")
    response = client.get("/app/")
    assert not flags.is_active("beta_team_card_test", response.wsgi_request)
    client.post(f"/app/switch/{b.slug}/")
    response = client.get("/app/")
    assert response.wsgi_request.tenant == b
    assert flags.is_active("beta_team_card_test", response.wsgi_request)
    assert flag_is_active(response.wsgi_request, "beta_team_card_test")  # waffle's own API agrees


def test_a_drf_request_is_a_request_too(actor):
    from rest_framework.request import Request

    tenant, owner = make_shop()
    new_flag(actor, shops=[tenant])
    django_request = RequestFactory().get("/api/v1/")
    django_request.user, django_request.tenant, django_request.membership = owner, tenant, None
    assert flags.is_active("beta", Request(django_request))
    with pytest.raises(TypeError):
        flags.is_active("beta", "golden-rose")


def test_kill_switch_beats_everything_at_once_and_release_restores(actor):
    tenant, owner = make_shop()
    flag = new_flag(actor, shops=[tenant], users=[owner], roles=["owner"], shop_percent=100)
    services.set_everyone(flag, True, actor=actor)
    assert flags.is_active("beta", tenant, user=owner)  # also caches the flag
    services.set_killed(flag, True, actor=actor, reason="500s in checkout")
    assert not flags.is_active("beta", tenant, user=owner)  # the cached copy was flushed
    assert not flags.is_active("beta", None, user=owner)
    rf = RequestFactory().get("/")
    rf.user, rf.tenant, rf.membership = owner, tenant, None
    assert not flag_is_active(rf, "beta")
    services.set_killed(Flag.objects.get(name="beta"), False, actor=actor)
    assert flags.is_active("beta", tenant, user=owner)


def test_history_records_who_changed_what_before_and_after(actor):
    tenant, _ = make_shop("Alpha Gold")
    flag = new_flag(actor, note="checkout v2")
    services.update_flag(flag, actor=actor, shops=[tenant], shop_percent=20, reason="pilot")
    services.update_flag(flag, actor=actor, shops=[tenant], shop_percent=20)  # no change: no row
    services.set_killed(flag, True, actor=actor, reason="incident")
    changes = list(FlagChange.objects.filter(flag_name="beta").order_by("id"))
    assert [c.action for c in changes] == ["created", "updated", "killed"]
    created, updated, killed = changes
    assert created.before == {} and created.after["shop_percent"] == 0 and created.actor == actor
    assert updated.actor_email == actor.email and updated.reason == "pilot"
    assert {f: (b, a) for f, b, a in updated.changed} == {"shop_percent": (0, 20), "shops": ([], [tenant.slug])}
    assert killed.before["killed"] is False and killed.after["killed"] is True and killed.reason == "incident"
    events = PlatformEvent.objects.filter(action__startswith="flags.flag.").order_by("id")
    assert [e.action for e in events] == ["flags.flag.created", "flags.flag.updated", "flags.flag.killed"]
    assert events[1].changes["shop_percent"] == [0, 20]


def test_history_is_append_only_in_the_database(actor):
    new_flag(actor)
    change = FlagChange.objects.get(flag_name="beta")
    for sql in ("UPDATE flags_flagchange SET action = 'x' WHERE id = %s", "DELETE FROM flags_flagchange WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [change.pk])
    assert FlagChange.objects.get(pk=change.pk).action == "created"


def test_bad_values_are_refused_and_write_nothing(actor):
    with pytest.raises(services.FlagError):
        new_flag(actor, shop_percent=101)
    with pytest.raises(services.FlagError):
        new_flag(actor, roles=["king"])
    new_flag(actor)
    with pytest.raises(services.FlagError):
        new_flag(actor)
    assert Flag.objects.filter(name="beta").count() == 1 and FlagChange.objects.filter(flag_name="beta").count() == 1


@pytest.mark.parametrize("name", ["a/b", "Beta", "new", "history", "x", "", "beta flag"])
def test_the_service_refuses_names_the_operator_screens_cannot_route(actor, name):
    """`/operator/flags/<name>/` must reverse for every flag: the service checks the name as the form does."""
    with pytest.raises(services.FlagError, match="not a valid flag name"):
        services.create_flag(name, actor=actor)
    assert not FlagChange.objects.filter(flag_name=name).exists()


def test_shop_targeting_rows_cascade_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'flags_flagshop'::regclass AND confrelid = 'tenancy_tenant'::regclass")
        (definition,) = cursor.fetchone()
    assert "ON DELETE CASCADE" in definition


def test_template_tags(actor):
    tenant, owner = make_shop()
    new_flag(actor, shops=[tenant])
    request = RequestFactory().get("/")
    request.user, request.tenant, request.membership = owner, tenant, None
    template = Template('{% load feature_flags %}{% ifflag "beta" %}on{% else %}off{% endifflag %}|{% flag_active "beta" as b %}{{ b }}')
    assert template.render(Context({"request": request})) == "on|True"
    other, _ = make_shop()
    request.tenant = other
    assert template.render(Context({"request": request})) == "off|False"
    assert Template('{% load waffle_tags %}{% flag "beta" %}on{% else %}off{% endflag %}').render(Context({"request": request})) == "off"


def test_beta_team_card_on_the_shop_dashboard(client, actor):
    a, owner = make_shop("Alpha Gold")
    make_member(a, "member")
    client.force_login(owner)
    assert "Team members (beta)" not in client.get("/app/").content.decode()
    flag = Flag.objects.get(name="beta_team_card")  # created by the migration, off
    services.update_flag(flag, actor=actor, shops=[a])
    body = client.get("/app/").content.decode()
    assert "Team members (beta)" in body and 'href="/app/members/"' in body
    services.set_killed(Flag.objects.get(name="beta_team_card"), True, actor=actor)
    assert "Team members (beta)" not in client.get("/app/").content.decode()


# --- operator screens ------------------------------------------------------------------------

def test_operator_creates_edits_switches_and_sees_history(operator_client):
    tenant, owner = make_shop("Alpha Gold")
    response = operator_client.post("/operator/flags/new/", {
        "name": "new_pos", "note": "POS v2", "everyone": "", "shops": [tenant.pk], "shop_percent": "10",
        "roles": ["admin"], "users": owner.email.upper(),
    })
    assert response.status_code == 302 and response["Location"] == "/operator/flags/new_pos/"
    flag = Flag.objects.get(name="new_pos")
    assert flag.shop_ids() == {tenant.pk} and flag.shop_percent == 10 and flag.roles == ["admin"]
    assert list(flag.users.all()) == [owner]

    response = operator_client.post("/operator/flags/new_pos/", {"everyone": "", "shop_percent": "30", "roles": [], "users": "", "reason": "wider"})
    assert response.status_code == 302
    flag = Flag.objects.get(name="new_pos")
    assert flag.shop_percent == 30 and flag.roles == [] and flag.shop_ids() == set() and not flag.users.exists()

    operator_client.post("/operator/flags/new_pos/switch/", {"action": "kill", "reason": "bug"})
    assert Flag.objects.get(name="new_pos").killed
    operator_client.post("/operator/flags/new_pos/switch/", {"action": "revive"})
    operator_client.post("/operator/flags/new_pos/switch/", {"action": "on"})
    assert Flag.objects.get(name="new_pos").everyone is True and not Flag.objects.get(name="new_pos").killed

    page = operator_client.get("/operator/flags/new_pos/").content.decode()
    assert 'data-testid="flag-history"' in page and "wider" in page and "bug" in page and "Kill switch engaged" in page
    assert re.search(r'data-field="shop_percent"><span class="font-semibold">percentage of shops</span>: <span[^>]*>10</span> → <span[^>]*>30</span>', page)
    assert "Alpha Gold" in page  # on for every shop now
    listing = operator_client.get("/operator/flags/").content.decode()
    assert 'data-flag="new_pos"' in listing and 'data-flag="beta_team_card"' in listing
    history = operator_client.get("/operator/flags/history/").content.decode()
    assert history.count("<tr>") >= 6  # created, updated, killed, revived, turned on (+ header)
    assert operator_client.operator.email in history


def test_operator_form_errors_write_nothing(operator_client):
    bad = operator_client.post("/operator/flags/new/", {"name": "Bad Name!", "shop_percent": "150", "users": "ghost@example.com"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "lower-case" in body and "ghost@example.com" in body
    assert operator_client.post("/operator/flags/new/", {"name": "history", "shop_percent": "0"}).status_code == 400
    assert not Flag.objects.exclude(name="beta_team_card").exists() and not FlagChange.objects.exists()
    assert operator_client.post("/operator/flags/beta_team_card/switch/", {"action": "explode"}).status_code == 302
    assert not FlagChange.objects.exists()
    assert operator_client.get("/operator/flags/nope/").status_code == 404


def test_shop_users_cannot_reach_the_flag_screens(client):
    _, owner = make_shop()
    client.force_login(owner)
    assert client.get("/operator/flags/").status_code == 403
    assert client.post("/operator/flags/beta_team_card/switch/", {"action": "on"}).status_code == 403
    assert Flag.objects.get(name="beta_team_card").everyone is None


def test_flag_shop_rows_go_with_the_flag(actor):
    tenant, _ = make_shop()
    flag = new_flag(actor, shops=[tenant])
    assert FlagShop.objects.filter(flag=flag).count() == 1


def test_flag_command_kills_and_revives_with_history(actor):
    from io import StringIO

    from django.core.management import CommandError, call_command

    tenant, _ = make_shop()
    new_flag(actor, shops=[tenant])
    out = StringIO()
    call_command("flag", "beta", "--kill", "--reason", "incident 42", "--by", actor.email, stdout=out)
    assert out.getvalue().strip() == "beta: killed; 1 shops, 0% of shops, roles -"
    assert not flags.is_active("beta", tenant)
    change = FlagChange.objects.filter(flag_name="beta").first()
    assert (change.action, change.reason, change.actor) == ("killed", "incident 42", actor)
    call_command("flag", "beta", "--revive", stdout=StringIO())
    assert flags.is_active("beta", tenant)
    with pytest.raises(CommandError, match="no feature flag named 'nope'"):
        call_command("flag", "nope", "--kill")
    with pytest.raises(CommandError, match="no account"):
        call_command("flag", "beta", "--kill", "--by", "ghost@example.com")
    assert not Flag.objects.get(name="beta").killed
