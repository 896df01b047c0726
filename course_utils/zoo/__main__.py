"""``python -m course_utils.zoo build | list | clean | path``."""

from __future__ import annotations

import argparse
import sys
import time

from course_utils.paths import zoo_root
from course_utils.zoo.folder import ZooFolderError, clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.zoo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the stale stand-ins (a no-op when warm)")
    build.add_argument("names", nargs="*", help="only these recipes (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument(
        "--if-offline", action="store_true", help="only when this machine cannot reach the Hub"
    )
    commands.add_parser("list", help="list the stand-ins and whether each is built")
    commands.add_parser("clean", help="delete the zoo cache (only what the zoo wrote)")
    commands.add_parser("path", help="print the hub-cache folder offline sessions use")
    args = parser.parse_args(argv)

    if args.command == "build":
        from course_utils.environment import env_flag, hub_reachable
        from course_utils.zoo.builder import build as run_build

        if args.if_offline and not env_flag("COURSE_OFFLINE") and hub_reachable():
            print(
                "The Hugging Face Hub is reachable: notebooks use the real models, no zoo needed."
            )
            return 0

        started = time.perf_counter()
        try:
            timings = run_build(args.names or None, force=args.force)
        except (ValueError, ZooFolderError) as error:  # a clear message, not a traceback
            print(error, file=sys.stderr)
            return 2
        for name, seconds in timings:
            print(f"built {name} in {seconds:.1f} s")
        print(f"offline model zoo ready in {time.perf_counter() - started:.1f} s: {zoo_root()}")
    elif args.command == "list":
        from course_utils.zoo import plan
        from course_utils.zoo.integrity import damaged_files

        for state in plan():
            damaged = damaged_files(state.build_dir, check_hashes=True)
            mark = "damaged" if damaged else "built" if state.built else "stale"
            recipe = state.recipe
            print(
                f"[{mark}] {', '.join(recipe.repo_ids)}\n        {recipe.architecture}: {recipe.summary}"
            )
            if damaged:
                print(
                    f"        {', '.join(damaged)} changed since the build: "
                    f"python -m course_utils.zoo build {recipe.name} --force"
                )
    elif args.command == "clean":
        try:
            removed, kept = clean()
        except ZooFolderError as error:
            print(error, file=sys.stderr)
            return 2
        print(f"removed {len(removed)} zoo entries from {zoo_root()}")
        if kept:
            print(f"kept {len(kept)} other entries there: {', '.join(p.name for p in kept[:5])}")
    elif args.command == "path":
        from course_utils.zoo import hub_cache_dir

        print(hub_cache_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
