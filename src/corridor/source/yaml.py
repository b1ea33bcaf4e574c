"""The one YAML dialect of corridor's source files: cases, mapping files, scenarios, rule files.

Scalars follow the YAML 1.2 core schema, narrowed:

* ``true`` / ``false`` (also ``True``, ``TRUE``, ``False``, ``FALSE``) are the only booleans:
  ``no``, ``off``, ``y`` stay text (in YAML 1.1 ``map: {NO: outbound}`` read Norway as False);
* integers are decimal without leading zeros (``42``, ``-7``); ``007``, ``0x1F``, ``1_000`` and
  ``+4:00`` (a YAML 1.1 sexagesimal number) stay text;
* floats are decimal (``2.5``, ``.5``, ``1e3``); ``.inf`` and ``.nan`` stay text, and a float that
  overflows (``1e999``) is refused;
* ``null``, ``Null``, ``NULL``, ``~`` and nothing are null;
* everything else is text, dates included (``2023-09-01`` is the text "2023-09-01").

Explicit tags may only be the core ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
``!!null``, ``!!map``, ``!!seq``); merge keys (``<<``), complex keys, aliases as keys, duplicate
keys and more than one document are refused.

Bounds against hostile input: nesting deeper than :data:`MAX_DEPTH` levels and aliases that
expand to more than :data:`MAX_ALIAS_NODES` nodes in total (a "billion laughs") are refused,
naming the file, line and column. The text is parsed by libyaml (PyYAML's C parser) when it is
installed, else by PyYAML's pure-Python parser; both are iterative (no recursion), and the tree
is built here from the event stream, iteratively, keeping the position of every node by path
(:class:`~corridor.source.locate.Marks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from corridor.errors import InputError
from corridor.source.locate import Marks, Path, Pos, locate

__all__ = [
    "LIBYAML",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "YamlDoc",
    "parse_yaml",
    "resolve_plain",
]

#: The deepest nesting of lists and mappings accepted.
MAX_DEPTH = 100
#: The most nodes that aliases may add to a document, in total (each alias adds the size of
#: the node it names, nested aliases included).
MAX_ALIAS_NODES = 100_000
#: The longest integer accepted, in digits (Python's own limit for reading text as int).
MAX_INT_DIGITS = 4300

LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader")
_Loader: Any = yaml.CSafeLoader if LIBYAML else yaml.SafeLoader

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_T + t for t in ("str", "int", "float", "bool", "null"))
_MAP_TAGS = {None, "!", _T + "map"}
_SEQ_TAGS = {None, "!", _T + "seq"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULLS = {"", "~", "null", "Null", "NULL"}
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_ANY_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("-+.0123456789")
_WORD_START = frozenset("tTfFnN~")


class _Refused(Exception):
    """A problem at a position; turned into the caller's error class with the file named."""

    def __init__(self, reason: str, pos: Pos) -> None:
        super().__init__(reason)
        self.reason, self.pos = reason, pos


def _pos(mark: Any) -> Pos:
    return (mark.line + 1, mark.column + 1)


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar as the dialect reads it: bool, int, float, None or
    the text itself. Raises ValueError for a number that cannot be held (too long, overflows)."""
    if not text:
        return None
    c = text[0]
    if c in _WORD_START:
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text in _NULLS:
            return None
        return text
    if c in _NUMBER_START:
        if _INT_RE.fullmatch(text):
            if len(text) > MAX_INT_DIGITS:
                raise ValueError(f"a number of more than {MAX_INT_DIGITS} digits")
            return int(text)
        if _FLOAT_RE.fullmatch(text) and ("." in text or "e" in text or "E" in text):
            if len(text) > MAX_INT_DIGITS:
                raise ValueError(f"a number of more than {MAX_INT_DIGITS} digits")
            x = float(text)
            if x in (float("inf"), float("-inf")):
                raise ValueError(f"{text} is too large a number")
            return x
    return text


def _tagged(tag: str, text: str) -> Any:
    """A scalar with an explicit core tag; ValueError when the text does not fit the tag."""
    if tag == _STR:
        return text
    if tag == _NULL:
        if text in _NULLS:
            return None
    elif tag == _BOOL:
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    elif tag == _INT:
        if _ANY_INT_RE.fullmatch(text) and len(text) <= MAX_INT_DIGITS:
            return int(text)
    elif tag == _FLOAT:
        if (_FLOAT_RE.fullmatch(text) or _ANY_INT_RE.fullmatch(text)) and len(
            text
        ) <= MAX_INT_DIGITS:
            x = float(text)
            if x not in (float("inf"), float("-inf")):
                return x
    else:
        raise ValueError(f"the tag {_short(tag)} is not supported (only the YAML core types)")
    return _bad_tagged(tag, text)


def _bad_tagged(tag: str, text: str) -> Any:
    raise ValueError(f"{text[:40]!r} is not a valid {_short(tag)}")


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag


def _scalar(ev: Any) -> Any:
    tag = ev.tag
    try:
        if tag is None:
            return resolve_plain(ev.value) if ev.implicit[0] else ev.value
        if tag == "!":
            return ev.value
        return _tagged(tag, ev.value)
    except ValueError as exc:
        raise _Refused(str(exc), _pos(ev.start_mark)) from None


@dataclass
class YamlDoc:
    """A parsed YAML source: its name (for messages), its data and every node's position."""

    name: str
    data: Any
    marks: Marks = field(default_factory=Marks)

    def where(self, *path: str | int, at_key: bool = True) -> str:
        """``NAME:LINE:COLUMN`` of the deepest known node on ``path`` (see ``locate``)."""
        return locate(self.name, self.marks, tuple(path), at_key=at_key)


class _Frame:
    __slots__ = ("anchor", "count0", "is_map", "key", "key_text", "obj", "order0", "path")

    def __init__(self, obj: Any, path: Path, is_map: bool, anchor: str | None,
                 order0: int, count0: int) -> None:
        self.obj, self.path, self.is_map, self.anchor = obj, path, is_map, anchor
        self.order0, self.count0 = order0, count0
        self.key: Any = _NO_KEY
        self.key_text = ""


class _Anchor:
    __slots__ = ("done", "end", "path", "size", "start", "value")

    def __init__(self, value: Any, path: Path, start: int) -> None:
        self.value, self.path, self.start = value, path, start
        self.end, self.size, self.done = start, 0, False


_NO_KEY = object()


def _build(get: Any, marks: Marks, max_depth: int, max_alias_nodes: int) -> Any:
    """The data of one document from its events (after DocumentStart, up to DocumentEnd)."""
    scalar_ev, alias_ev = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    node_marks, key_marks = marks.node, marks.key
    # every position recorded, in order: a node's subtree is one slice (copied for an alias)
    order: list[tuple[bool, Path, Pos]] = []
    anchors: dict[str, _Anchor] = {}
    stack: list[_Frame] = []
    count = 0
    expanded = 0
    root: Any = None
    while True:
        ev = get()
        cls = ev.__class__
        if cls is scalar_ev or cls is alias_ev or cls is map_start or cls is seq_start:
            top = stack[-1] if stack else None
            if top is not None and top.is_map and top.key is _NO_KEY:
                if cls is not scalar_ev:
                    what = "an alias" if cls is alias_ev else "a list or mapping"
                    raise _Refused(f"a key must be text or a number, not {what}",
                                   _pos(ev.start_mark))
                pos = _pos(ev.start_mark)
                if ev.value == "<<" and ev.tag is None and ev.implicit[0]:
                    raise _Refused("merge keys (<<) are not supported", pos)
                key = _scalar(ev)
                if key in top.obj:
                    raise _Refused(f"duplicate key {ev.value!r}", pos)
                top.key, top.key_text = key, ev.value
                kpath = (*top.path, ev.value)
                key_marks[kpath] = pos
                order.append((True, kpath, pos))
                count += 1
                continue
            if top is None:
                path: Path = ()
            elif top.is_map:
                path = (*top.path, top.key_text)
            else:
                path = (*top.path, len(top.obj))
            pos = _pos(ev.start_mark)
            if cls is scalar_ev:
                value = _scalar(ev)
                node_marks[path] = pos
                order.append((False, path, pos))
                count += 1
                if ev.anchor is not None:
                    a = anchors[ev.anchor] = _Anchor(value, path, len(order) - 1)
                    a.end, a.size, a.done = len(order), 1, True
            elif cls is alias_ev:
                a_ = anchors.get(ev.anchor)
                if a_ is None:
                    raise _Refused(f"the alias *{ev.anchor} names no anchor before it", pos)
                if not a_.done:
                    raise _Refused(f"the alias *{ev.anchor} is inside the node it names", pos)
                expanded += a_.size
                if expanded > max_alias_nodes:
                    raise _Refused(
                        f"aliases expand the document to more than {max_alias_nodes:,} extra "
                        "nodes (an alias bomb?); write the data out instead",
                        pos,
                    )
                value = a_.value
                cut = len(a_.path)
                for is_key, p, ps in order[a_.start:a_.end]:
                    np = path + p[cut:]
                    (key_marks if is_key else node_marks)[np] = ps
                    order.append((is_key, np, ps))
                count += a_.size
            else:
                if len(stack) >= max_depth:
                    raise _Refused(f"nested deeper than {max_depth} levels", pos)
                is_map = cls is map_start
                if ev.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                    raise _Refused(
                        f"the tag {_short(ev.tag)} is not supported (only the YAML core types)",
                        pos,
                    )
                value = {} if is_map else []
                node_marks[path] = pos
                order.append((False, path, pos))
                frame = _Frame(value, path, is_map, ev.anchor, len(order) - 1, count)
                count += 1
                if ev.anchor is not None:
                    anchors[ev.anchor] = _Anchor(value, path, frame.order0)
            if top is None:
                root = value
            elif top.is_map:
                top.obj[top.key] = value
                top.key = _NO_KEY
            else:
                top.obj.append(value)
            if cls is map_start or cls is seq_start:
                stack.append(frame)
        elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            done = stack.pop()
            if done.anchor is not None:
                a = anchors[done.anchor]
                if a.value is done.obj:
                    a.end, a.size, a.done = len(order), count - done.count0, True
        elif cls is yaml.DocumentEndEvent:
            return root


def parse_yaml(
    text: str,
    name: str = "<yaml>",
    *,
    error: type[InputError] = InputError,
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
) -> YamlDoc:
    """Parse YAML text in corridor's dialect into data and the position of every node.

    Every problem (not YAML, a refused construct, a bound exceeded) raises ``error`` with
    ``where="NAME:LINE:COLUMN"`` (or ``NAME`` when the parser gives no position).
    """
    marks = Marks()
    loader: Any = None
    try:
        loader = _Loader(text)
        get = loader.get_event
        get()  # StreamStart
        ev = get()
        if isinstance(ev, yaml.StreamEndEvent):
            return YamlDoc(name, None, marks)
        data = _build(get, marks, max_depth, max_alias_nodes)
        ev = get()
        if not isinstance(ev, yaml.StreamEndEvent):
            raise _Refused("expected one YAML document, found another", _pos(ev.start_mark))
    except _Refused as exc:
        raise error(exc.reason, where=f"{name}:{exc.pos[0]}:{exc.pos[1]}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not YAML"
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
        raise error(f"not valid YAML: {problem}", where=where) from None
    except yaml.reader.ReaderError as exc:
        raise error(f"not valid YAML: {_reader_problem(exc, text)}", where=name) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {str(exc).splitlines()[0]}", where=name) from None
    except (UnicodeError, TypeError) as exc:
        raise error(f"not valid YAML text: {exc}", where=name) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDoc(name, data, marks)


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> str:
    """'control characters are not allowed (character #x0000 on line 3)'."""
    char = exc.character
    code = ord(char) if isinstance(char, str) else int(char)
    line = text.count("\n", 0, max(0, int(exc.position))) + 1
    return f"{exc.reason} (character #x{code:04x} on line {line})"
