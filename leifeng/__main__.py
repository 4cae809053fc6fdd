"""The `leifeng` console script: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if argv[1:2] == ["serve"]:
        # The production server never runs with DEBUG on, whatever the shell says.
        os.environ["DEBUG"] = "0"
    argv[0] = "leifeng"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
