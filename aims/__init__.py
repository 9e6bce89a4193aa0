"""The AIMS portal: an ISO/IEC 42001 AI management system with live operating evidence."""

from aims.celery import app as celery_app

__all__ = ["celery_app"]
