"""`python -m vapay`: the `vapay` command, for when its script is not on PATH."""

from vapay.cli import main

raise SystemExit(main())
