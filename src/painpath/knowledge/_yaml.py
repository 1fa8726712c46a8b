"""Reading knowledge files: YAML with the traps for clinical authors removed.

PyYAML follows YAML 1.1, where a bare ``on``, ``no`` or ``yes`` is a boolean: a condition
written ``{on: total}`` would silently become ``{True: total}`` and a "No" answer label would
become ``False``. Knowledge files are read with YAML 1.2 booleans (only ``true``/``false``), and a
key written twice in one mapping is an error instead of the last one silently winning.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["YamlError", "parse_yaml"]


class YamlError(ValueError):
    """A file that is not well-formed knowledge YAML; ``detail`` says where and what."""

    def __init__(self, name: str, detail: str):
        super().__init__(f"{name}: {detail}")
        self.detail = detail


# libyaml's C parser when PyYAML was built with it (the PyPI wheels are); the constructor and
# resolver stay in Python either way, so the rules below apply to both.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _KnowledgeLoader(_Base):  # type: ignore[valid-type,misc]
    pass


# Drop YAML 1.1's boolean words (yes/no/on/off/y/n); keep only true/false.
_KnowledgeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_KnowledgeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _strict_mapping(loader: _KnowledgeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is written twice", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_KnowledgeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)


def parse_yaml(text: str, name: str) -> Any:
    """Parse one knowledge file; raise YamlError naming the file, line and column."""
    try:
        return yaml.load(text, Loader=_KnowledgeLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(name, f"not valid YAML{where}: {problem}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # A value YAML parses but cannot build, e.g. `date: 2026-02-30` or `!!int abc`.
        raise YamlError(name, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(name, "not valid YAML: nested too deeply") from None
