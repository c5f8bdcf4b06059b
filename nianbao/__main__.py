"""`python -m nianbao …` is the `nianbao` command."""

from nianbao.tui.cli import main

if __name__ == "__main__":
    main()
