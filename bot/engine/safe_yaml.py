"""YAML that hostile files cannot hurt: size, nesting and node limits, no aliases, no duplicate keys.

Every way content enters (knowledge/ and scenarios/ files, `/faq import`, the question sets) goes through
`load`, so a billion-laughs file, a 100,000-deep list or a 30 MB line ends in one short error with a line
number, quickly and in bounded memory.
"""

from __future__ import annotations

from typing import Any

import yaml

# Limits, far above any real content: the largest curated file is about 80 KB and 3,000 nodes, and entries
# nest five levels deep (list > entry > sources > source > value).
MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_DEPTH = 24
MAX_SHOWN = 80  # characters of a key or a parser message quoted back in an error

# libyaml's parser where installed: about ten times faster than the pure-Python one, and it limits nesting itself.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    """Why a text is not acceptable YAML content, with the 1-based line when one is known."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def shorten(text: object, limit: int = MAX_SHOWN) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document: the Python value and its node tree (for line numbers)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlProblem(None, f"file is {size:,} bytes; content files may be at most {MAX_BYTES:,}")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_tree(node)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None,
                          f"invalid YAML: {shorten(exc.problem or exc.context)}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, f"invalid YAML: {shorten(exc)}") from None
    except RecursionError:  # only the pure-Python parser recurses; libyaml stops deep nesting itself
        raise YamlProblem(None, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _check_tree(root: yaml.Node) -> None:
    """Walk the node tree once, without recursion, refusing aliases, duplicate keys and extreme shapes."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int, int]] = [(root, 1, 1)]  # node, depth, line of the collection holding it
    while stack:
        node, depth, holder_line = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:  # the composer shares one node between an anchor and each alias to it
            raise YamlProblem(holder_line, "anchors and aliases (& and *) are not allowed in content files")
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise YamlProblem(line, f"more than {MAX_NODES:,} values in one file")
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    here = key.start_mark.line + 1
                    if key.value in first_line:
                        raise YamlProblem(here, f"duplicate key '{shorten(key.value)}' "
                                                f"(first on line {first_line[key.value]})")
                    first_line[key.value] = here
                stack += ((key, depth + 1, line), (value, depth + 1, line))
        elif isinstance(node, yaml.SequenceNode):
            stack += ((item, depth + 1, line) for item in node.value)
