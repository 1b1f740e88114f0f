"""Constructs, one per concern; each takes the config (or its section) and exposes what others need."""
