"""CRM strategy course helpers."""

from crm_course.language import get_language, set_language

__all__ = ["get_language", "set_language"]
