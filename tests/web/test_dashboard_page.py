"""/dashboard: the report's figures for what the viewer may see, charts as PNG, safe CSV/XLSX downloads."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from atalaia.db.models import AuditEntry
from tests.factories import inbound
from tests.web.conftest import Story, sign_in

WHOLE_TIME = {"from": "2000-01-01", "to": "2035-12-31"}


def test_compliance_sees_every_line_and_a_manager_only_theirs(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    ana = story.client.get("/dashboard", params=WHOLE_TIME)
    sign_in(story.client, "carla@exemplo.com.br")
    carla = story.client.get("/dashboard", params=WHOLE_TIME)
    sneaky = story.client.get("/dashboard", params={**WHOLE_TIME, "team": "Vendas"})

    assert ana.status_code == carla.status_code == sneaky.status_code == 200
    assert '<span class="n">2</span><span>recebidas</span>' in ana.text
    assert '<span class="n">1</span><span>recebidas</span>' in carla.text  # her team's line only
    assert '<span class="n">0</span><span>recebidas</span>' in sneaky.text
    assert "só as linhas das suas equipes" in carla.text
    assert '<option value="Vendas"' not in carla.text  # another team is not even offered
    with story.setup.runtime.sessions() as session:
        assert len(session.execute(select(AuditEntry).where(AuditEntry.action == "analytics_read")).all()) == 3


def test_charts_are_png_images_of_the_same_scope(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")

    volume = story.client.get("/dashboard/volume.png", params=WHOLE_TIME)
    heat = story.client.get("/dashboard/heatmap.png", params={"from": "2024-01-01", "to": "2024-12-31"})

    assert volume.headers["content-type"] == "image/png"
    assert volume.content.startswith(b"\x89PNG")
    assert heat.content.startswith(b"\x89PNG")
    assert story.client.get("/dashboard/volume.png", params={"from": "ontem"}).status_code == 422


def test_downloads_defuse_formulas(story: Story) -> None:
    from sqlalchemy import update

    from atalaia.db.engine import transaction
    from atalaia.db.models import Alert

    story.setup.archive([inbound("wamid.F1", '=HYPERLINK("http://x")')])
    with transaction(story.setup.runtime.sessions) as session:  # an alert whose policy id looks like a formula
        session.execute(update(Alert).values(policy="=cmd|' /C calc'!A0"))
    sign_in(story.client, "ana@exemplo.com.br")

    text = story.client.get("/dashboard/table.csv", params=WHOLE_TIME).content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(story.client.get("/dashboard/table.xlsx", params=WHOLE_TIME).content))

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["indicador", "valor"]
    assert ["Mensagens recebidas", "3"] in rows
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert 3 in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert story.client.get("/dashboard/table.pdf").status_code == 404


def test_bad_filters_are_explained_in_place(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")

    unknown = story.client.get("/dashboard", params={"team": "Nenhuma"})
    reversed_dates = story.client.get("/dashboard", params={"from": "2024-05-02", "to": "2024-05-01"})

    assert unknown.status_code == 404
    assert 'role="alert"' in unknown.text
    assert reversed_dates.status_code == 422
    assert story.client.get("/dashboard", follow_redirects=False).status_code in (200, 303)
