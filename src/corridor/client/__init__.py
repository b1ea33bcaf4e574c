"""Clients of corridor over HTTP (an adapter: httpx; no app, store or service code)."""
