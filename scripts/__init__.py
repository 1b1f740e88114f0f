"""Operational commands: the `ccaas` CLI, the local rehearsal, benchmarks."""
