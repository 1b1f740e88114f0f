"""The Amazon Connect flow language: load, validate and resolve placeholders in flow files."""
