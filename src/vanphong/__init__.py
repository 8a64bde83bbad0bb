"""VănPhòng: operational information system for a network of public agencies."""

__version__ = "0.1.0"
