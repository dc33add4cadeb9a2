"""Shipped resources (default model, icons); installed as the `kord_resources` package."""
