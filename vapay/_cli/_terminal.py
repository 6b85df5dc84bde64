"""Text for a terminal: whatever the API sent, shown, never obeyed.

A string from the server can hold escape sequences that set the window title,
clear the screen, move the cursor over earlier lines or plant a link; a line
feed or carriage return can fake a line of output. `printable` is applied where
such text becomes terminal output (table cells and titles, one-line errors), so
every table and message is safe whatever field the text came from. JSON output
keeps the exact strings, with the same characters written as JSON escapes
(`json_safe`), so that `--json` on a terminal or `cat export.jsonl` is inert too.
"""

from __future__ import annotations

import re

# C0 controls (ESC, CR, LF, BEL, ...), DEL, and the C1 controls: a UTF-8
# terminal may take U+009B alone as the start of a control sequence. Then the
# bidirectional overrides, embeddings, isolates and marks, which reorder what is
# shown ("Trojan Source"), and lone surrogates, which no encoding can write.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


# Of those, what `json.dumps(ensure_ascii=False)` writes raw (it escapes C0 itself).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(encoded: str) -> str:
    """JSON text with what a terminal would act on escaped as `\\u` escapes: the same values."""
    return _UNSAFE_IN_JSON.sub(_json_escape, encoded)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    """*text* with each character a terminal would act on shown as its escape.

    `"\\x1b]0;title\\x07"` becomes the visible `\\x1b]0;title\\x07`, a right-to-left
    override `\\u202e`; everything else, non-Latin scripts and emoji included, is
    kept as it is.
    """
    return _UNSAFE.sub(_escape, text)


# Enough of a bad value to recognise it; a pasted megabyte is not echoed.
_SHOWN = 40


def shown(text: str) -> str:
    """*text* cut to a readable length, for an error message."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
