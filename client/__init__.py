"""The C&C CRM desktop client: PySide6 UI over a headless, offline-first sync library.

``client.replica`` owns the encrypted local database; nothing else opens it.
"""
