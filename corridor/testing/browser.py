"""Helpers for browser tests (Playwright driving Debian's Chromium).

`assert_no_sideways_scroll(page)` fails when the page is wider than the window, naming the
widest element that sticks out past the window's right edge, so the failure says what to fix.
"""

PHONE_WIDTH = 390  # px: a common phone held upright (iPhone 12–15)
PHONE_VIEWPORT = {"width": PHONE_WIDTH, "height": 844}

# Runs in the page. Returns None when nothing scrolls sideways, else the document's width and
# the outermost elements whose right edge lies past the window's (or whose own text runs past
# it: an unbroken word), widest first. An element inside a region that scrolls or clips on its
# own (overflow-x other than visible) does not count: that region keeps it from widening the
# page, and the region itself is measured instead.
_OVERFLOW_SCRIPT = """
() => {
  const root = document.documentElement;
  const viewport = window.innerWidth;
  if (root.scrollWidth <= viewport) return null;
  const edge = root.clientWidth;  // the window less a vertical scrollbar, if it takes room
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body && up !== root;
         up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const selector = (element) => {
    const parts = [];
    for (let at = element; at && at !== document.body && parts.length < 4;
         at = at.parentElement) {
      let part = at.tagName.toLowerCase();
      if (at.id) { parts.unshift(part + "#" + at.id); break; }
      const classes = Array.from(at.classList).slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const offenders = [];
  const past = new Set();
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    let width = box.width;
    let right = box.right + window.scrollX;
    if (right <= edge + 0.5) {
      // the box fits, but its own text (an unbroken word, a URL) may run out of it
      if (element.scrollWidth <= element.clientWidth + 1) continue;
      const ownText = Array.from(element.childNodes).some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
      if (!ownText) continue;
      if (getComputedStyle(element).overflowX !== "visible") continue;
      width = element.scrollWidth;
      right = box.left + window.scrollX + element.scrollWidth;
      if (right <= edge + 0.5) continue;
    }
    if (clipped(element)) continue;
    past.add(element);
    if (past.has(element.parentElement)) continue;  // name the outermost one only
    offenders.push({
      selector: selector(element),
      width: Math.round(width),
      right: Math.round(right),
    });
  }
  // widest first; among equally wide ones the outermost (document order) first
  offenders.sort((a, b) => b.width - a.width);
  return {scrollWidth: root.scrollWidth, viewport: viewport, offenders: offenders.slice(0, 5)};
}
"""


def sideways_overflow(page) -> dict | None:
    """What makes the page scroll sideways, or None when it does not:
    {"scrollWidth", "viewport", "offenders": [{"selector", "width", "right"}, ...]}."""
    return page.evaluate(_OVERFLOW_SCRIPT)


def describe_overflow(overflow: dict) -> str:
    lines = [f"the page is {overflow['scrollWidth']} px wide in a {overflow['viewport']} px window"]
    for offender in overflow["offenders"]:
        lines.append(
            f"  {offender['selector']}: {offender['width']} px wide, "
            f"right edge at {offender['right']} px"
        )
    if not overflow["offenders"]:
        lines.append("  (no element reaches past the window: look for negative margins)")
    return "\n".join(lines)


def assert_no_sideways_scroll(page, where: str = "") -> None:
    """Fail when `page` scrolls sideways at its current width, naming the widest element that
    sticks out (its selector and width) and the next few."""
    overflow = sideways_overflow(page)
    if overflow is not None:
        place = where or page.url
        raise AssertionError(f"{place} scrolls sideways: {describe_overflow(overflow)}")
