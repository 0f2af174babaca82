"""The PySide6 desktop client: widgets only; data comes from ``client.services``."""
