"""Administrative operations behind the ``cnc-server`` CLI (and the admin API)."""
