"""Converters from the formats admins already keep (Excel templates, GIFT, Moodle XML, Aiken) to the
YAML bank format, each with a report of what could not be carried over."""
