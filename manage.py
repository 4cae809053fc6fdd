#!/usr/bin/env python
"""Django's command-line utility; `leifeng` is the same thing installed as a console script."""

from leifeng.__main__ import main

if __name__ == "__main__":
    main()
