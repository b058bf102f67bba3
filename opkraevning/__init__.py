"""opkraevning: correspondence assistant for Danish municipal collection offices."""

__version__ = "0.1.0"
