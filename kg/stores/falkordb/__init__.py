"""Embedded FalkorDB backend: a child redis-server with the graph module per store folder."""
