"""The history benchmark's estimate of what Athena scans: the columns each query needs, and the
Parquet bytes under them. The benchmark itself runs on demand (`python -m scripts.bench_history`)."""

from __future__ import annotations

from history.catalog import queries
from scripts.bench_history import bytes_read, query_columns, scaled_scenario


def test_a_query_reads_the_struct_fields_it_dereferences_not_the_whole_record() -> None:
    # Given the shipped queries, when their columns are worked out
    read = {query.name: query_columns(query) for query in queries()}
    # Then the KPIs read the contact id and queue fields, as fields, and no one reads what no
    # query asks for (the system's phone number) nor the partition (a folder, not a column)
    assert "contactid" in read["kpis"] and "queue.enqueuetimestamp" in read["kpis"]
    assert "queue" not in read["kpis"]
    assert "attributes.customerid" in read["repeat_contacts"]
    for columns in read.values():
        assert not {"systemendpoint", "dt"} & {column.split(".")[0] for column in columns}


def test_bytes_read_counts_the_leaves_under_each_column_and_no_namesake() -> None:
    sizes = {"contactid": 10, "queue.name": 5, "queue.arn": 7, "queuename": 100}
    assert bytes_read(["queue.name", "contactid"], sizes, whole=False) == 15
    assert bytes_read(["queue.name"], sizes, whole=True) == 12


def test_the_benchmark_day_is_dmv_cut_down_with_a_month_of_customers() -> None:
    scenario = scaled_scenario(300)
    assert scenario.demand.contacts == 300
    assert scenario.customers.population == 9_000  # each gets in touch about once a month
    assert list(scenario.variants) == ["self_service"]
    assert scenario.staffing is not None and scenario.staffing["frontline"][9] == 3
