# SPDX-License-Identifier: BSD-3-Clause
"""python3 -m alvh summary FILE.h5 | python3 -m alvh report FILE.h5 -o DIR"""
import argparse
import os
import sys

from .results import FormatError, ResultFile


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m alvh", description="read alvh result files")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("summary", help="headline numbers of every scenario and variant")
    s.add_argument("file")
    r = sub.add_parser("report", help="PNG figures and one self-contained HTML page")
    r.add_argument("file")
    r.add_argument("-o", "--output", required=True, help="directory for the PNGs and report.html")
    r.add_argument("--max-paths", type=int, default=20, help="sample market paths drawn per scenario")
    a = p.parse_args(argv)
    try:
        with ResultFile(a.file) as res:
            if a.cmd == "summary":
                from .summary import print_summary
                print_summary(res, sys.stdout)
            else:
                from .report import write_report
                html = write_report(res, a.output, max_paths=a.max_paths)
                print("wrote %s" % html)
    except BrokenPipeError:
        # the reader stopped early (| head): not an error of ours
        sys.stdout = open(os.devnull, "w")
        return 0
    except (FormatError, OSError) as e:
        print("alvh: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
