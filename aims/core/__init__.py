"""Shared mechanisms: decision rows (four eyes), scoped querysets, the API error shape, CSV safety."""
