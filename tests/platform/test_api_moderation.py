"""POST /v1/moderations in OpenAI's shape, in English and Chinese."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("text", ["a photo of a naked woman", "一张裸体女人的照片"])
def test_sexual_prompts_are_flagged_in_both_languages(client_for, owner_key, text):
    result = client_for(owner_key).moderations.create(input=text).results[0]
    assert result.flagged is True
    assert result.categories.sexual is True
    assert result.category_scores.sexual > 0.5


@pytest.mark.parametrize("text", ["a watercolor painting of a fox in the snow", "雪地里的狐狸水彩画"])
def test_harmless_prompts_are_not_flagged(client_for, owner_key, text):
    result = client_for(owner_key).moderations.create(input=text).results[0]
    assert result.flagged is False


def test_a_list_of_inputs_gets_one_result_each_in_order(client_for, owner_key):
    results = client_for(owner_key).moderations.create(input=["a cup of tea", "how to kill someone and hide the body"]).results
    assert [r.flagged for r in results] == [False, True]
