"""The shipped SQL: every file is Athena SQL, the shared CTE is spliced in once, the parameters
line up, and the smaller queries count what the analytics function counts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlglot

from history.catalog import SQL_DIR, QueryFileError, expand_includes, parse_query, queries
from history.local import LocalQueryError, run_local
from history.parquet import write_archive
from history.periods import GRACE_DAYS, Period, PeriodError, parameter_values
from lambdas.analytics.logic import bot_intents
from local_connect.records import metric_rows
from tests.history.conftest import day, query, run_query
from tests.history.test_kpis import branches


@pytest.mark.parametrize("path", sorted(SQL_DIR.rglob("*.sql")), ids=lambda path: path.name)
def test_every_sql_file_parses_as_athena_sql(path: Path) -> None:
    sqlglot.parse_one(path.read_text(encoding="utf-8"), read="athena")


def test_every_query_is_athena_sql_with_the_shared_cte_spliced_in_once() -> None:
    assert {q.name for q in queries()} == {
        "kpis",
        "repeat_contacts",
        "hour_of_week",
        "bot_containment",
    }
    for shipped in queries():
        tree = sqlglot.parse_one(shipped.sql, read="athena")
        assert next(cte.alias for cte in tree.find_all(sqlglot.exp.CTE)) == "latest"
        assert shipped.sql.count("latest AS (") == 1
        assert shipped.parameters[:2] == ("scan_from_day", "scan_to_day")
        assert "?" not in shipped.description


def test_a_query_names_what_it_takes_and_includes_only_what_exists() -> None:
    with pytest.raises(QueryFileError, match="2 `\\?` placeholders but 1 parameters"):
        parse_query("broken", "-- Broken.\n-- parameters: a\nSELECT ? + ?")
    with pytest.raises(QueryFileError, match=r"there is no shared/nothing\.sql"):
        expand_includes("-- Broken.\nWITH\n-- include: nothing\nx AS (SELECT 1)\nSELECT 1")
    with pytest.raises(QueryFileError, match="whole number of days"):
        parse_query("broken", "-- Broken.\n-- context_days: a month\nSELECT 1")


def test_the_period_widens_by_the_querys_context_and_the_grace_days() -> None:
    values = parameter_values(query("repeat_contacts"), Period(day(0), day(6), by="week"))
    assert values == {
        # 30 days of context either side (the repeat window), and the grace days after.
        "scan_from_day": "2026-11-01",
        "scan_to_day": (date(2027, 1, 6) + timedelta(days=GRACE_DAYS)).isoformat(),
        "from_day": "2026-12-01",
        "to_day": "2026-12-07",
        "by": "week",
    }
    with pytest.raises(PeriodError, match="ends"):
        Period(day(1), day(0))
    with pytest.raises(PeriodError, match="one of day, week, hour"):
        Period(day(0), day(0), by="month")


def test_a_missing_parameter_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        LocalQueryError,
        match=r"kpis needs a value for scan_from_day, scan_to_day, by, threshold_seconds, to_day$",
    ):
        run_local(query("kpis"), tmp_path, {"from_day": "2026-12-01"})


def test_bot_containment_per_intent_is_the_analytics_functions(tmp_path: Path) -> None:
    records = branches()
    rows = run_query("bot_containment", records, tmp_path, Period(day(0), day(1)))
    expected = bot_intents(metric_rows(records, threshold_seconds=20))
    assert (
        {
            row["intent"]: (
                row["bot_contacts"],
                row["bot_contained"],
                row["bot_escalated"],
                row["bot_abandoned"],
            )
            for row in rows
        }
        == {
            intent: (k.bot_contacts, k.bot_contained, k.bot_escalated, k.bot_abandoned)
            for intent, k in expected.items()
        }
        == {"": (1, 0, 0, 1), "CheckAppointment": (2, 1, 1, 0)}
    )


def test_hour_of_week_adds_up_to_the_days_contacts_and_handle_time(tmp_path: Path) -> None:
    records = branches()
    rows = run_query("hour_of_week", records, tmp_path, Period(day(0), day(1)))
    kpis = run_query("kpis", records, tmp_path, Period(day(0), day(1)))
    assert sum(row["contacts"] for row in rows) == sum(row["contacts"] for row in kpis)
    handle = sum(row["talk"] + row["hold"] + row["acw"] for row in kpis)
    assert sum(row["handle_time"] for row in rows) == handle
    # 2026-12-01 is a Tuesday: ISO day 2; the next day's 09:00 call is Wednesday 09:00.
    assert {(row["day_of_week"], row["hour"]) for row in rows} >= {(2, 10), (3, 0), (3, 9)}


def test_only_the_shared_cte_names_the_archives_table() -> None:
    # What lets the queries run over another table (Connect's data lake): one file to adapt.
    for path in SQL_DIR.glob("*.sql"):
        assert "contact_records" not in path.read_text(encoding="utf-8"), path.name


def test_the_docs_example_of_a_new_query_runs(tmp_path: Path) -> None:
    page = (Path(__file__).parents[2] / "docs" / "history.md").read_text(encoding="utf-8")
    example = page.split("```sql\n", 1)[1].split("```", 1)[0]
    handled = parse_query("handled", expand_includes(example))
    values = parameter_values(handled, Period(day(0), day(0)))
    write_archive(branches(), tmp_path)
    rows = list(run_local(handled, tmp_path, values).records())
    # billing: the transfer and the late contact; support: the calls, chat, callback, outbound
    # call and the bot's escalation an agent took.
    assert {row["queue_name"]: row["handled"] for row in rows} == {"billing": 2, "support": 5}
