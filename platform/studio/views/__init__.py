"""The studio's pages, one module per area (account, images, verify, staff)."""
