"""Contact history over months: every contact record archived in S3 as Parquet, queried with
Athena in AWS and with DuckDB on this machine, through the same SQL files."""
