"""What every deployed function's environment holds besides its own settings.

Its own module, free of the CDK, so that the cold-start benchmark (scripts/bench_lambdas.py)
runs the functions with exactly what infra gives them.
"""

FUNCTION_DEFAULTS = {
    "POWERTOOLS_METRICS_NAMESPACE": "ContactCenter",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    # The first model a process builds makes pydantic read the entry points of every installed
    # distribution, looking for plugins; no function uses one, and a flow Lambda's cold start is
    # a caller's silence (docs/performance.md).
    # https://docs.pydantic.dev/latest/concepts/plugins/ (PYDANTIC_DISABLE_PLUGINS)
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
}
