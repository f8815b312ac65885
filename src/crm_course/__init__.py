"""CRM strategy course helpers."""
