"""Command line: `python -m forecasting backtest ...` and `python -m forecasting replay ...`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the sub-command's own module so each keeps its own argument parser."""
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python -m forecasting {backtest,replay} [options]  (--help after a command)"
    if not args or args[0] in ("-h", "--help"):
        print(usage)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "backtest":
        from forecasting.backtest_cli import main as run
    elif command == "replay":
        from forecasting.replay_cli import main as run
    else:
        print(f"unknown command {command!r}\n{usage}", file=sys.stderr)
        return 2
    return run(rest)


if __name__ == "__main__":
    raise SystemExit(main())
