import sys

from .main import cli

sys.exit(cli(sys.argv[1:]))
