"""The web server: console pages, REST API and provider webhooks. Thin: parse, authorise, call, render."""
