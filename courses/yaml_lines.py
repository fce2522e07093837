"""YAML loading that remembers line numbers, so package errors can point at ``file:line``.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both carry ``line`` (1-based, where the node
starts) and ``lines`` (key or index -> 1-based line of that entry's value). Built on PyYAML's SafeLoader.
"""

from __future__ import annotations

import yaml


class LineDict(dict):
    line: int = 0
    lines: dict


class LineList(list):
    line: int = 0
    lines: dict


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = value_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = {i: child.start_mark.line + 1 for i, child in enumerate(node.value)}
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load(text: str):
    """Parse YAML text into plain data with line info; raises yaml.YAMLError (with ``problem_mark``) on bad YAML."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def line_of(data, path) -> int | None:
    """1-based line of the value at ``path`` (a sequence of keys/indexes) inside loaded data, best effort."""
    line = getattr(data, "line", None)
    node = data
    for part in path:
        lines = getattr(node, "lines", None)
        if lines is None:
            break
        if part in lines:
            line = lines[part]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line
