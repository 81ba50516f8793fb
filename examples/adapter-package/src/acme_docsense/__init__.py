"""ACME's docsense extensions: a check, a policy pack and a store (see the entry points)."""

__all__ = ["__version__"]

__version__ = "1.0.0"
