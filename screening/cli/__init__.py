"""The `screening` console command."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Screen parties and transactions against sanctions lists and terrorist watchlists."""


if __name__ == "__main__":
    main()
