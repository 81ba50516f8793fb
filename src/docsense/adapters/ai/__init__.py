"""Reviewer adapters: the offline rules reviewer and LLM providers."""
