"""Application layer: unit of work, repositories and services over the ports."""
