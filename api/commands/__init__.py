"""The CLI's commands, one module each with register(app); api/cli.py lists them."""
