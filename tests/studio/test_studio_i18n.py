"""English and Simplified Chinese: the committed catalogue is complete and compiled, the switcher works."""
from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "platform" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries() -> dict[str, str]:
    text = LOCALE.joinpath("django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            join = lambda m: "".join(re.findall(r'"(.*)"', m.group(1))).replace('\\"', '"')  # noqa: E731
            entries[join(msgid)] = join(msgstr)
    entries.pop("", None)
    return entries


def test_every_message_has_a_chinese_translation():
    entries = _po_entries()
    assert len(entries) > 200
    assert [k for k, v in entries.items() if not v] == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (a fresh clone needs no gettext); it must not lag behind the .po."""
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in _po_entries().items():
        assert compiled.gettext(msgid) == msgstr, msgid


@pytest.mark.django_db
def test_the_language_switcher_sets_chinese_for_the_next_pages(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/verify/"})
    assert response.status_code == 302 and response["Location"] == "/verify/"
    html = client.get("/verify/").content.decode()
    assert '<html lang="zh-hans">' in html and "验证图片" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/verify/"})
    assert "Verify an image" in client.get("/verify/").content.decode()
