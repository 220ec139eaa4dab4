"""`python -m services.cli` (how the launcher and the tests start a service)."""

from services.cli import main

main()
