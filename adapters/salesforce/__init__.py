"""Salesforce adapter: client glue, mapping and a loopback sandbox of the REST API subset leadsync uses."""
