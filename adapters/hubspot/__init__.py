"""The HubSpot adapter: its loopback sandbox now, the adapter itself when it lands."""
