"""Settings from the environment: read by variable name, refused by variable name only."""

from __future__ import annotations

import traceback

import pytest

from lambdas.common.settings import RepeatContactSettings, SettingsError

# Lambda puts the function's temporary credentials in its environment, beside our settings.
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
LAMBDA_ENVIRONMENT = {
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_SESSION_TOKEN": SECRET,
    "AWS_REGION": "us-east-1",
}


def test_settings_read_the_environment_by_variable_name() -> None:
    settings = RepeatContactSettings.from_environ(
        {"CUSTOMERS_TABLE": "customers", "REPEAT_WINDOW_HOURS": "24"}
    )
    assert (settings.customers_table, settings.repeat_window_hours) == ("customers", 24)


def test_defaults_apply_when_a_variable_is_unset() -> None:
    settings = RepeatContactSettings.from_environ({"CUSTOMERS_TABLE": "customers"})
    assert settings.repeat_window_hours == 48


def test_an_invalid_environment_is_named_by_variable_and_error_type_never_by_value() -> None:
    # Given Lambda's environment with no CUSTOMERS_TABLE and a malformed repeat window
    environ = {**LAMBDA_ENVIRONMENT, "REPEAT_WINDOW_HOURS": "forty-eight"}

    # When the settings are read
    with pytest.raises(SettingsError) as raised:
        RepeatContactSettings.from_environ(environ)

    # Then the error names each variable and what is wrong with it, and nothing it holds
    error = raised.value
    assert error.problems == (
        ("CUSTOMERS_TABLE", "missing"),
        ("REPEAT_WINDOW_HOURS", "int_parsing"),
    )
    assert str(error) == (
        "RepeatContactSettings: invalid environment: "
        "CUSTOMERS_TABLE (missing), REPEAT_WINDOW_HOURS (int_parsing)"
    )
    # ... not even in the traceback a logger prints: pydantic's own error (whose text quotes
    # the environment) is neither its cause nor its context.
    printed = "".join(traceback.format_exception(error))
    for value in (SECRET[:8], "forty-eight", "input_value"):
        assert value not in printed
    assert error.__cause__ is None and error.__context__ is None


def test_values_out_of_range_are_refused() -> None:
    with pytest.raises(SettingsError, match=r"REPEAT_WINDOW_HOURS \(less_than_equal\)"):
        RepeatContactSettings.from_environ(
            {"CUSTOMERS_TABLE": "customers", "REPEAT_WINDOW_HOURS": "721"}
        )
