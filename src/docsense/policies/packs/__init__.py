"""Built-in policy packs, shipped as package data (one YAML file per pack)."""
