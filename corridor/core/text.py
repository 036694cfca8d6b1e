"""Small helpers for sentences built around names.

A sentence that ends with a name, "You declined to meet %(name)s.", would read
"… Orchid Line Motors Pte. Ltd.." when the name ends with its own full stop. `one_stop`
drops the sentence's stop after such a name (an ellipsis "..." is left alone).
"""

import re

_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def one_stop(text: str) -> str:
    """The text with every stop that follows another stop (and is not an ellipsis) removed."""
    return _DOUBLE_STOP.sub(".", str(text))
