"""Server-rendered console pages (Portuguese by default)."""
