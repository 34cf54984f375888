"""Terrorist-financing screening and entity matching."""
