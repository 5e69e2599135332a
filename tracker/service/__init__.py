"""The dashboard as a service: HTTP routes served beside it in the same process (docs/service.md)."""
