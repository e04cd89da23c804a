"""Each evasion form the issue names is undone before the rules run."""

import pytest

from moderation import normalize


def views(text: str) -> tuple[str, ...]:
    return normalize(text).views


@pytest.mark.parametrize(
    "evasive",
    [
        "ＮＡＫＥＤ",  # full-width
        "NaKeD",  # case
        "na\u200bked",  # zero-width space
        "na\u200dk\ufeffed",  # zero-width joiner, BOM
        "n\u0336a\u0336k\u0336e\u0336d\u0336",  # combining strike-through
        "ñákéd",  # accents
        "nаkеd",  # Cyrillic а and е
        "nαked",  # Greek alpha
        "n4k3d",  # leetspeak
        "n@ked",  # symbol leet
        "n a k e d",  # spaced letters
        "n.a.k.e.d",  # dotted letters
        "n-a-k-e-d",  # dashed letters
    ],
)
def test_every_evasion_form_normalises_to_the_plain_word(evasive):
    assert any("naked" in v.split() for v in views(evasive))


def test_an_article_before_spaced_letters_stays_a_separate_word():
    assert "a nude photo" in views("a n u d e photo")


def test_leetspeak_mapping_does_not_destroy_numbers_in_the_main_view():
    n = normalize("a 4k photo from the 1990s")
    assert n.text == "a 4k photo from the 1990s"


def test_traditional_chinese_becomes_simplified():
    assert normalize("一張裸體照片").text == "一张裸体照片"


def test_separators_between_chinese_characters_are_removed_in_a_view():
    assert "裸体照片" in views("裸 体.照*片")


def test_full_width_chinese_punctuation_and_latin_are_folded():
    assert normalize("ＡＢＣ，裸体").text == "abc,裸体"
