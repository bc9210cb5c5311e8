"""The issue's bad-input list, where the import's tests (test_import.py) and the quick entry's
(test_chart_in_slack.py) do not already cover it: a unit that does not match, a date more than ten years
back or already stored in the forms, French numbers in the /qi-share form, an identifier typed as a
measure's name."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from handlers.sharing.forms import read_data_point
from sandbox import state_values
from storage.models import QiMeasure
from tests.charts.test_chart_in_slack import _points, _project
from tests.sharing_helpers import open_form, submit_share


async def test_a_percentage_for_a_measure_in_days_is_refused_in_the_quick_entry_and_the_add_data_form(env):
    slug = await _project(env, [5, 6])
    answer = (await env.driver.command("/qi-share", f"#{slug} data wait=62% 2026-11-20")).json()["text"]
    assert answer == ("Wait to first assessment: This measure is counted in days, and that value is a percentage: "
                      "type the number alone, or ask the project's owner to change the unit.")
    await env.driver.action("charts_add_data", value=slug)
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    measure = form["blocks"][1]["element"]["options"][0]["value"]
    refused = await env.driver.submit_view("charts_add_data", state_values(
        measure={"value": {"selected": measure}}, on={"value": {"selected_date": "2026-11-20"}},
        value={"value": "62%"}), view=form)
    assert refused.json()["errors"]["value"].startswith("Wait to first assessment: This measure is counted in days")
    old = await env.driver.submit_view("charts_add_data", state_values(
        measure={"value": {"selected": measure}}, on={"value": {"selected_date": "2015-06-01"}},
        value={"value": "6"}), view=form)
    assert old.json()["errors"] == {"on": "01 Jun 2015 is more than ten years ago: check the year."}
    assert ("2026-11-20", "62") not in await _points(env) and len(await _points(env)) == 2


async def test_an_identifier_typed_as_a_measures_name_is_never_repeated(env):
    slug = await _project(env, [5, 6])
    answer = (await env.driver.command("/qi-share", f"#{slug} data 1234-567-897=3")).json()["text"]
    assert "1234-567-897" not in answer
    assert answer.startswith("That measure's name looks like it holds a patient identifier; I kept nothing.")
    await env.driver.command("/qi-commons", f"chart #{slug} MRN 4433221")
    await env.settle()
    assert "4433221" not in env.slack.responses()[-1]["text"]
    assert len(await _points(env)) == 2


def test_the_share_forms_value_is_read_as_the_quick_entry_reads_it():
    def view(value, on="2026-11-20"):
        return {"state": {"values": {"dp_measure": {"input": {"type": "static_select",
                                                              "selected_option": {"value": "7"}}},
                                     "dp_value": {"input": {"type": "number_input", "value": value}},
                                     "dp_date": {"input": {"type": "datepicker", "selected_date": on}}}}}

    today = date(2026, 11, 25)
    point, errors = read_data_point(view("3,5"), today, {7: "days"})
    assert errors == {} and str(point.value) == "3.5"
    _, errors = read_data_point(view("62%"), today, {7: "days"})
    assert errors["dp_value"].startswith("This measure is counted in days")
    _, errors = read_data_point(view("6", on="2015-06-01"), today, {7: "days"})
    assert errors == {"dp_date": "That date is more than ten years ago: check the year."}


async def test_a_date_already_stored_in_the_share_form_says_how_to_replace_or_keep_both(env):
    slug = await _project(env, [5, 6])
    async with env.runtime.db.session() as session:
        outcome = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))
    today = env.clock.now().date().isoformat()  # _project's last point is today
    await open_form(env)
    response = await submit_share(env, str(outcome.project_id), dp_measure={"input": {"selected": str(outcome.id)}},
                                  dp_value={"input": {"number": "7"}}, dp_date={"input": {"selected_date": today}})
    assert response.json()["errors"] == {"dp_date": (
        f"Wait to first assessment already has a value on 25 Nov 2026. Leave the data point out here and send "
        f"`/qi-share #{slug} data 1=VALUE {today}` to replace it or keep both.")}
    assert len(await _points(env)) == 2
