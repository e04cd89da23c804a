"""The staff enforcement list reads in a fixed number of queries, however many accounts it shows."""
from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def _struck(make_user, name: str, strikes: int, suspended: bool):
    from django.utils import timezone

    from trust.models import Strike, Suspension

    user = make_user(name)
    for _ in range(strikes):
        Strike.objects.create(user=user, category="hate")
    if suspended:
        Suspension.objects.create(user=user, reason="test", ends=timezone.now() + dt.timedelta(days=1))
    return user


def test_the_enforcement_list_takes_three_queries_for_any_number_of_accounts(make_user, django_assert_num_queries):
    from trust import selectors

    for i in range(6):
        _struck(make_user, f"user{i}", strikes=i + 1, suspended=i % 2 == 0)
    with django_assert_num_queries(3):
        rows = selectors.enforcement_rows()
        [(len(r["suspensions"]), len(r["recent_strikes"]), r["current"]) for r in rows]
    assert [r["user"].username for r in rows] == ["user5", "user4", "user3", "user2", "user1", "user0"]
    assert [r["strikes"] for r in rows] == [6, 5, 4, 3, 2, 1]
    assert [len(r["recent_strikes"]) for r in rows] == [5, 5, 4, 3, 2, 1]  # the latest five each
    assert [r["current"] is not None for r in rows] == [False, True, False, True, False, True]


def test_the_enforcement_list_finds_an_account_by_name_even_without_strikes(make_user):
    from trust import selectors

    _struck(make_user, "quiet", strikes=0, suspended=False)
    _struck(make_user, "noisy", strikes=1, suspended=False)
    assert [r["user"].username for r in selectors.enforcement_rows()] == ["noisy"]
    assert [r["user"].username for r in selectors.enforcement_rows(query="qui")] == ["quiet"]
