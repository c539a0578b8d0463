"""The /api routers, grouped by what they touch."""
