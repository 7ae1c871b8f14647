#!/usr/bin/env python3
"""Fails when an #include runs against the layers (docs/design.md, "Layers").

    cli -> driver -> store -> scraper -> http -> net
                                         each may include the folders to its right
    dashboard                            below driver and cli, above store: the
                                         page, its server and the store's snapshot
                                         (read through store/store_reader.hpp, or
                                         store/redis_blocking.hpp for Redis)
    url, html, robots                    leaves: only themselves and common
    common                               shared by all; includes no other src folder
    include/uvscrape                     the public face: never src/, never the
                                         private dependencies' headers; nlohmann/json
                                         only through json.hpp and json_fwd.hpp

Every src folder may include the public headers (it implements them) and
src/common. Reads the real sources under the root given as the first argument
(default: the checkout this script lives in) and prints one line per offending
include: file, line, the include, and the rule it breaks.
"""
import pathlib
import re
import sys

# What each src folder may include besides itself, the public headers and common.
ALLOWED = {
    "cli": {"driver", "dashboard", "store", "scraper", "http", "net", "url", "html", "robots"},
    "driver": {"dashboard", "store", "scraper", "http", "net", "url", "html", "robots"},
    "dashboard": {"store"},
    "store": {"scraper", "http", "net", "url", "html"},
    "scraper": {"http", "net", "url", "html"},
    "http": {"net", "url", "html"},
    "net": {"url", "html"},
    "url": set(),
    "html": set(),
    "robots": set(),
    "common": set(),
}
ALWAYS = {"uvscrape", "common"}

# Headers of private dependencies that the public face must not expose.
PRIVATE_DEPENDENCIES = ("mbedtls/", "ares", "llhttp", "idn2", "uriparser/", "libxml/", "zlib",
                        "brotli/", "sqlite3", "nettle/", "hiredis")

# The only public headers that include nlohmann/json (the rest name Json through them).
JSON_HEADERS = {"json.hpp", "json_fwd.hpp"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".c"}


def includes(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = INCLUDE.match(line)
        if match:
            yield number, match.group(1), match.group(2)


def sources(folder):
    return sorted(p for p in folder.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def check(root):
    problems = []
    src = root / "src"
    layers = {p.name for p in src.iterdir() if p.is_dir()}
    unknown = layers - ALLOWED.keys()
    for name in sorted(unknown):
        problems.append(f"src/{name}/: a folder with no place in the layers; add it to "
                        f"tests/layers/check_layers.py and docs/design.md")

    for layer in sorted(layers & ALLOWED.keys()):
        permitted = ALLOWED[layer] | ALWAYS | {layer}
        for path in sources(src / layer):
            for number, _, target in includes(path):
                head = target.split("/", 1)[0]
                if "/" in target and head in layers and head not in permitted:
                    problems.append(
                        f"{path.relative_to(root)}:{number}: #include \"{target}\": "
                        f"src/{layer} may not include src/{head} "
                        f"(allowed: {', '.join(sorted(permitted))})")

    public = root / "include" / "uvscrape"
    for path in sources(public):
        for number, _, target in includes(path):
            head = target.split("/", 1)[0]
            if "/" in target and head in layers:
                problems.append(f"{path.relative_to(root)}:{number}: #include \"{target}\": "
                                f"a public header may not include src/{head}")
            elif target.startswith(PRIVATE_DEPENDENCIES):
                problems.append(f"{path.relative_to(root)}:{number}: #include <{target}>: "
                                f"a public header may not expose a private dependency")
            elif target.startswith("nlohmann/") and path.name not in JSON_HEADERS:
                problems.append(f"{path.relative_to(root)}:{number}: #include <{target}>: "
                                f"only {' and '.join(sorted(JSON_HEADERS))} include nlohmann/json; "
                                f"include \"uvscrape/json.hpp\" (or json_fwd.hpp to name Json)")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2])
    if not (root / "src").is_dir() or not (root / "include" / "uvscrape").is_dir():
        print(f"{root}: not a uvscrape checkout (no src/ or include/uvscrape/)")
        return 2
    problems = check(root.resolve())
    for line in problems:
        print(line)
    checked = sum(len(sources(d)) for d in [root / "src", root / "include" / "uvscrape"])
    print(f"{checked} files checked, {len(problems)} include(s) against the layers")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
