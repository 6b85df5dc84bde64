"""`python -m vapay.sandbox`: serve a sandbox until Ctrl-C."""

from vapay.sandbox._serve import main

raise SystemExit(main())
