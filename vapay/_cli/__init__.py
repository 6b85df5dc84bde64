"""The `vapay` command's implementation; `vapay.cli.main` is its entry point.

Only `_args` (and `_webhooks`, whose grammar it takes) may be imported without
rich installed: `vapay.cli` parses the command line first and checks for rich
before it imports anything else here.
"""
