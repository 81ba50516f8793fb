"""The JSON Schema of the review report, shipped as package data."""
