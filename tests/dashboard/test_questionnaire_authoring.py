"""Managers write questionnaires in the browser: the list, importing a shipped scale, the authoring
form (every item type, an attention check, a scale with a subscale), errors next to the right field,
a new version on edit, and the preview. Writes go through questionnaires.services (which audits)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from questionnaires.library import shipped_scales
from questionnaires.models import Questionnaire

PAGES = ["/manage/questionnaires/", "/manage/questionnaires/draft/"]
DRAFT = "/manage/questionnaires/draft/"


def login(user: Any) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    if user is not None:
        client.force_login(user)
    return client


def _rows(study: Any, key: str) -> list[Questionnaire]:
    with tenant_context(study):
        return list(Questionnaire.objects.filter(key=key).order_by("version"))


def details(title: str = "", key: str = "", instructions: str = "", export_free_text: bool = False) -> dict[str, str]:
    data = {"q-title": title, "q-key": key, "q-instructions": instructions}
    if export_free_text:
        data["q-export_free_text"] = "on"
    return data


def item(kind: str, text: str, **fields: Any) -> dict[str, str]:
    """The item form as posted: every field present, as a browser sends it (checkboxes only when ticked)."""
    data = {
        "item-type": kind,
        "item-text": text,
        "item-key": "",
        "item-points": "5",
        "item-likert_min": "1",
        "item-anchors": "",
        "item-options": "",
        "item-number_min": "",
        "item-number_max": "",
        "item-max_length": "200",
        "item-attention_expected": "",
        "item-scale": "",
        "item-required": "on",
    }
    for name, value in fields.items():
        if value is False:
            data.pop(f"item-{name}", None)
        else:
            data[f"item-{name}"] = "on" if value is True else str(value)
    return data


def scale(key: str, label: str, method: str = "mean", min_answered: str = "", parent: str = "") -> dict[str, str]:
    return {
        "scale-key": key,
        "scale-label": label,
        "scale-method": method,
        "scale-min_answered": min_answered,
        "scale-parent": parent,
    }


class Author:
    """Posts the whole authoring form, as its buttons do, keeping the details typed so far."""

    def __init__(self, client: Client, **detail: Any) -> None:
        self.client = client
        self.details = details(**detail)

    def post(self, action: str, extra: dict[str, str] | None = None) -> Any:
        extra = extra or {}
        blank = {} if "item-type" in extra else item("likert", "")  # the item form is always posted
        return self.client.post(DRAFT, {**self.details, **blank, **extra, "action": action})

    def add(self, data: dict[str, str]) -> Any:
        return self.post("add_item", data)

    def add_scale(self, data: dict[str, str]) -> Any:
        return self.post("add_scale", {**item("likert", ""), **data})


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("actor", "status"),
    [("admin", 200), ("manager", 200), ("analyst", 403), ("viewer", 403), ("compliance", 403), ("outsider", 404)],
)
def test_only_roles_with_change_settings_reach_the_questionnaire_pages(cast, page, actor, status):
    client = login(cast[actor])
    if status == 200:  # the authoring page needs a draft first
        assert client.post("/manage/questionnaires/new/").status_code == 302
    assert client.get(page).status_code == status


def test_the_nav_links_to_questionnaires_for_change_settings_only(cast):
    link = 'href="/manage/questionnaires/"'
    assert link in login(cast["manager"]).get("/manage/").content.decode()
    page = login(cast["analyst"]).get("/dashboard/")
    assert page.status_code == 200 and link not in page.content.decode()


def test_without_change_settings_nothing_can_be_written(cast, alpha):
    client = login(cast["analyst"])
    key = shipped_scales()[0]["key"]
    assert client.post("/manage/questionnaires/", {"import": key}).status_code == 403
    assert client.post("/manage/questionnaires/new/").status_code == 403
    assert client.post(DRAFT, {"action": "save"}).status_code == 403
    assert _rows(alpha, key) == []


def test_the_list_shows_the_published_scales_and_a_manager_imports_one(cast, alpha):
    client = login(cast["manager"])
    scale_def = shipped_scales()[0]
    page = client.get("/manage/questionnaires/").content.decode()
    assert "Published scales to add" in page
    assert scale_def["title"] in page and "Add to this study" in page
    assert scale_def["licence"]["text"] in page
    assert "Goldberg" in page  # the citation
    response = client.post("/manage/questionnaires/", {"import": scale_def["key"]}, follow=True)
    assert "is now a questionnaire of this study" in response.content.decode()
    rows = _rows(alpha, scale_def["key"])
    assert [(r.version, r.source) for r in rows] == [(1, f"library:{scale_def['key']}")]
    page = client.get("/manage/questionnaires/").content.decode()
    assert "In this study" in page and f"{len(scale_def['items'])}</dd>" in page
    with tenant_context(alpha):
        from audit.models import AuditEntry

        assert AuditEntry.objects.filter(event="questionnaire.version.create").exists()


def _write_full_questionnaire(client: Client) -> Author:
    assert client.post("/manage/questionnaires/new/").status_code == 302
    author = Author(client, title="Mood and habits", instructions="Answer as you feel today.")
    assert author.add_scale(scale("mood", "Mood", min_answered="0.5")).status_code == 302
    assert author.add_scale(scale("calm", "Calm", method="sum", parent="mood")).status_code == 302
    steps = [
        item("likert", "I feel cheerful.", anchors="Not at all\nVery much", scale="mood"),
        item("likert", "I feel tense.", anchors="Not at all\nVery much", scale="calm", reverse=True),
        item("likert", "I feel relaxed.", points=4, anchors="Never\nSometimes\nOften\nAlways", scale="calm"),
        item("single", "How did you sleep?", options="good | Well\nbad | Badly"),
        item("multiple", "What did you drink today?", options="Coffee\nTea\nWater", required=False),
        item("number", "How many hours did you sleep?", number_min="0", number_max="24", integer=True),
        item("text", "Anything else?", max_length="300", required=False),
        item(
            "single",
            "Please choose 'Badly' for this question.",
            options="good | Well\nbad | Badly",
            attention_expected="bad",
        ),
    ]
    for data in steps:
        response = author.add(data)
        assert response.status_code == 302, response.content.decode()[:3000]
    return author


def test_a_manager_writes_a_questionnaire_with_every_item_type_and_saves_it(cast, alpha):
    client = login(cast["manager"])
    author = _write_full_questionnaire(client)
    page = client.get(DRAFT).content.decode()
    assert "I feel tense." in page and "reverse keyed" in page and "attention check" in page
    assert "Free text must not identify anyone." in page
    response = author.post("save")
    assert response.status_code == 302, response.content.decode()[:3000]
    (row,) = _rows(alpha, "mood-and-habits")
    definition = row.definition
    assert (row.version, row.title, row.source) == (1, "Mood and habits", "custom")
    assert definition["instructions"] == "Answer as you feel today."
    assert [i["type"] for i in definition["items"]] == [
        "likert", "likert", "likert", "single", "multiple", "number", "text", "single"
    ]  # fmt: skip
    tense = definition["items"][1]
    assert (tense["key"], tense["reverse"]) == ("i-feel-tense", True)
    assert tense["anchors"] == {"1": "Not at all", "5": "Very much"}  # JSON keys
    assert list(definition["items"][2]["anchors"].values()) == ["Never", "Sometimes", "Often", "Always"]
    assert definition["items"][3]["options"] == [{"value": "good", "label": "Well"}, {"value": "bad", "label": "Badly"}]
    assert [o["value"] for o in definition["items"][4]["options"]] == ["coffee", "tea", "water"]
    assert definition["items"][4]["required"] is False
    assert {k: definition["items"][5][k] for k in ("min", "max", "integer")} == {"min": 0, "max": 24, "integer": True}
    assert definition["items"][6]["max_length"] == 300 and definition["export_free_text"] is False
    assert definition["items"][7]["attention_check"] == {"expected": "bad"}
    (mood,) = definition["scales"]
    assert mood["items"] == ["i-feel-cheerful", "i-feel-tense", "i-feel-relaxed"]
    assert mood["min_answered"] == 2  # 0.5 of 3, rounded up
    assert mood["subscales"] == [
        {
            "key": "calm",
            "label": "Calm",
            "items": ["i-feel-tense", "i-feel-relaxed"],
            "method": "sum",
            "min_answered": 2,
        }
    ]
    assert client.get(DRAFT).status_code == 302  # the draft is gone once saved


def test_errors_show_next_to_the_field_and_nothing_typed_is_lost(cast, alpha):
    client = login(cast["manager"])
    client.post("/manage/questionnaires/new/")
    author = Author(client, title="Errors", instructions="Kept instructions")
    response = author.add(item("likert", "Three labels for five points", anchors="a\nb\nc"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give one label per point (5) or labels for the first and last point" in page
    assert "Three labels for five points" in page and "Kept instructions" in page  # nothing typed lost
    response = author.add(item("single", "No options"))
    assert "Give at least one option." in response.content.decode()
    response = author.add(item("text", "Checked free text", attention_expected="x"))
    assert "Free-text items cannot be attention checks." in response.content.decode()
    # Saved with no items and a scale without items: the errors sit by the right section.
    author.add_scale(scale("empty", "Empty scale"))
    response = author.post("save", item("likert", ""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Items: A questionnaire needs at least one item." not in page  # general, not per item
    assert "A questionnaire needs at least one item." in page
    assert "Items: A scale lists at least one item key." in page
    assert _rows(alpha, "errors") == []
    # A half-typed item survives another button (a scale added, an item moved).
    author.post("add_scale", {**item("number", "Half typed"), **scale("s2", "Second")})
    page = client.get(DRAFT).content.decode()
    assert "Half typed" in page and "Second" in page
    response = author.post("save", item("number", "Half typed"))
    assert "still holds a question you typed but did not add" in response.content.decode()


def test_editing_makes_version_two_and_items_can_be_reordered_and_removed(cast, alpha):
    client = login(cast["manager"])
    author = _write_full_questionnaire(client)
    assert author.post("save").status_code == 302
    response = client.post("/manage/questionnaires/mood-and-habits/edit/", follow=True)
    page = response.content.decode()
    assert "Saving makes version 2" in page and "Flows already published keep the version they named" in page
    author = Author(client, title="Mood and habits")
    author.post("down:0")  # cheerful below tense
    author.post("remove:7")  # the attention check goes
    response = author.post("edit:2")
    page = client.get(DRAFT).content.decode()
    assert "Edit item 3" in page and "Never\nSometimes\nOften\nAlways" in page
    assert (
        author.post(
            "save_item",
            item(
                "likert",
                "I feel at ease.",
                points=4,
                anchors="Never\nSometimes\nOften\nAlways",
                scale="calm",
                key="i-feel-relaxed",
            ),
        ).status_code
        == 302
    )
    assert author.post("save").status_code == 302
    first, second = _rows(alpha, "mood-and-habits")
    assert (first.version, second.version) == (1, 2)
    assert [i["key"] for i in second.definition["items"]][:3] == ["i-feel-tense", "i-feel-cheerful", "i-feel-relaxed"]
    assert second.definition["items"][2]["text"] == "I feel at ease."
    assert len(second.definition["items"]) == 7 and len(first.definition["items"]) == 8  # v1 untouched
    page = client.get("/manage/questionnaires/").content.decode()
    assert "2 of 2" in page and "Write version 3" in page


def test_a_new_questionnaire_cannot_take_an_existing_key(cast, alpha):
    client = login(cast["manager"])
    key = shipped_scales()[0]["key"]
    client.post("/manage/questionnaires/", {"import": key})
    client.post("/manage/questionnaires/new/")
    author = Author(client, title="Copy", key=key)
    author.add(item("likert", "Q", anchors="Low\nHigh"))
    response = author.post("save")
    assert response.status_code == 400
    assert "already has a questionnaire with the key" in response.content.decode()
    assert len(_rows(alpha, key)) == 1


def test_the_preview_renders_a_chosen_version_and_stores_nothing(cast, alpha):
    client = login(cast["manager"])
    author = _write_full_questionnaire(client)
    author.post("save")
    response = client.get("/manage/questionnaires/mood-and-habits/preview/?version=1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in page and "Nothing you answer is stored" in page and "Back to questionnaires" in page
    assert "I feel tense." in page and 'name="i-feel-tense"' in page
    assert client.get("/manage/questionnaires/mood-and-habits/preview/?version=9").status_code == 404
    assert client.get("/manage/questionnaires/nope/preview/").status_code == 404
    with tenant_context(alpha):
        from questionnaires.models import QuestionnaireResponse

        assert not QuestionnaireResponse.objects.exists()
