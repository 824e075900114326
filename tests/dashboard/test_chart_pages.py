"""The dashboard's charts as served: each one with its n and a data table behind it (caption, scoped
headers), and nothing the page CSP would refuse (no style attribute anywhere)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client

from tests.dashboard.support import simulated_participants


class Page(HTMLParser):
    """Counts what the assertions need: figures, tables, captions, header scopes, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.scopes: dict[str, int] = {}
        self.styles: list[str] = []
        self.figures_without_table = 0
        self._figure_tables: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if "style" in a:
            self.styles.append(tag)
        if tag == "th":
            self.scopes[a.get("scope") or "none"] = self.scopes.get(a.get("scope") or "none", 0) + 1
        if tag == "figure":
            self._figure_tables.append(0)
        if tag == "table" and self._figure_tables:
            self._figure_tables[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure" and self._figure_tables and self._figure_tables.pop() == 0:
            self.figures_without_table += 1


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def viewer(cast) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(cast["viewer"])
    return client


def test_every_dashboard_chart_states_its_n_and_has_an_accessible_data_table(cast, in_alpha):
    simulated_participants(4, balloons=12, leave_open=1)
    html = viewer(cast).get("/dashboard/").content.decode()
    page = parsed(html)
    # 12 balloons are too few to score reaction to loss and learning: those two say so, with n = 0
    # and no table (there are no numbers to list); the six others have one.
    assert page.tags["figure"] == 3 + 5 and page.figures_without_table == 2
    assert html.count("No data yet</text>") == 2 and html.count("n = 0 participants") == 2
    assert page.tags["details"] == page.tags["summary"] == 6
    assert html.count("<summary>Data table</summary>") == 6
    chart_tables = html.split('class="rp-chart-data"')[1:]
    assert all("<caption>" in t.split("</table>")[0] for t in chart_tables)
    assert page.scopes.get("none", 0) == 0  # every header cell says whether it heads a row or a column
    assert "n = 4 participants" in html and "n = 3 sessions" in html and "n = 3 participants" in html
    assert page.styles == []


def test_the_participant_page_tables_each_dimension_and_every_balloon_of_the_replay(cast, in_alpha):
    (session,) = simulated_participants(1, balloons=11)
    html = viewer(cast).get(f"/dashboard/participants/{session.participant.participant_code}/").content.decode()
    page = parsed(html)
    assert page.tags["figure"] == 5 + 1 and page.figures_without_table == 0
    assert page.styles == [] and page.scopes.get("none", 0) == 0
    replay_table = html.split("<caption>Balloons of this session")[1].split("</table>")[0]
    assert len(re.findall(r'<th scope="row">\d+</th>', replay_table)) == 11
    # each profile chart, the replay, its table and the name of the box that table scrolls in
    assert html.count("n = 11 balloons") == 5 + 1 + 1 + 1
