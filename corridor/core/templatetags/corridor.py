from decimal import Decimal

from django import template
from django.template.base import token_kwargs
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from corridor.core import text
from corridor.core.audit import actor_label, history
from corridor.core.bilingual import bilingual, is_chinese
from corridor.core.exports import FORMATS
from corridor.core.vocabularies import city_name, country_name, currency_name

register = template.Library()


@register.filter
def bi(obj, field: str) -> str:
    """{{ project|bi:"title" }}: the field in the active language, falling back to the other."""
    return bilingual(obj, field)


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.filter
def currency(code: str) -> str:
    return currency_name(code)


@register.filter
def history_for(entries, viewer) -> list:
    """{% with rows=entries|history_for:request.user %}: a record's history as this reader
    may see it (core.audit.history)."""
    if entries is None:
        return []
    return history(entries, viewer)


@register.filter
def actor_for(person, viewer) -> str:
    """{{ change.by|actor_for:request.user }}: a person's name, or for anonymous visitors
    "initiative staff" or the person's organisation (core.audit.actor_label)."""
    return actor_label(person, viewer)


@register.filter
def city(name: str) -> str:
    """{{ organisation.city|city }}: in Chinese on Chinese pages when the name is known."""
    return city_name(name)


@register.filter(is_safe=True)
def one_stop(value) -> str:
    """A sentence that ends with a name ending in a stop gets one stop, not two ("Ltd..")."""
    return text.one_stop(value)


@register.filter
def money(amount, code: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    # Grouped with commas in both languages: Django's Chinese format has no thousands
    # separator, and amounts written in Chinese use commas too.
    text = f"{Decimal(amount):,.0f}"
    return f"{code} {text}".strip()


@register.filter
def usd_short(amount) -> str:
    """Large sums, readable in each language: US$26.1 bn / US$450.0 m in English,
    261.0亿美元 / 4.5亿美元 / 350.0万美元 in Chinese (亿 = 10^8, 万 = 10^4)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    if is_chinese():
        if abs(amount) >= Decimal("1e8"):
            return f"{amount / Decimal('1e8'):,.1f}亿美元"
        if abs(amount) >= Decimal("1e4"):
            return f"{amount / Decimal('1e4'):,.1f}万美元"
        return f"{amount:,.0f}美元"
    if abs(amount) >= Decimal("1e9"):
        return f"US${amount / Decimal('1e9'):,.1f} bn"
    if abs(amount) >= Decimal("1e6"):
        return f"US${amount / Decimal('1e6'):,.1f} m"
    return f"US${amount:,.0f}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.inclusion_tag("core/_export_links.html", takes_context=True)
def export_links(context, url_name: str, *args, label: str = "", what: str = "") -> dict:
    """ "Export: CSV · XLSX": links to `<url_name>_csv` and `<url_name>_xlsx` (with `args`)
    that carry the page's filters and sort (its query string without the page number).
    `label` replaces "Export:"; `what` names the list for screen readers when a page has
    several."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    suffix = f"?{query.urlencode()}" if query else ""
    links = [
        (fmt.upper(), reverse(f"{url_name}_{fmt}", args=args) + suffix, fmt) for fmt in FORMATS
    ]
    return {"links": links, "label": label, "what": what}


@register.simple_tag
def table_head(*headings, actions: str = "") -> str:
    """{% table_head _("Code") _("Market") actions=_("Actions") %}: a table's <thead>, one
    column heading (scope="col") a heading; `actions` adds a last column of buttons whose
    heading only screen readers read."""
    cells = format_html_join("", '<th scope="col">{}</th>', ((heading,) for heading in headings))
    if actions:
        cells += format_html(
            '<th scope="col"><span class="visually-hidden">{}</span></th>', actions
        )
    return format_html("<thead><tr>{}</tr></thead>", cells)


class TableNode(template.Node):
    def __init__(self, rows, name, options, nodelist):
        self.rows, self.name, self.options, self.nodelist = rows, name, options, nodelist

    def render(self, context) -> str:
        rows = self.rows.resolve(context)
        options = {key: value.resolve(context) for key, value in self.options.items()}
        if rows:
            with context.push(**({self.name: rows} if self.name else {})):
                body = self.nodelist.render(context)
            return format_html(
                "<table{}{}>{}</table>",
                _attribute("class", options.get("class", "table")),
                _attribute("id", options.get("id")),
                body,
            )
        if not options.get("empty"):
            return ""
        return format_html(
            "<p{}{}>{}</p>",
            _attribute("class", options.get("empty_class", "muted")),
            _attribute("id", options.get("empty_id")),
            options["empty"],
        )


def _attribute(name: str, value) -> str:
    return format_html(' {}="{}"', name, value) if value else ""


@register.tag("table")
def table(parser, token) -> TableNode:
    """A table of `rows`, or when there are none a sentence saying so:

        {% table project.parties.all as parties class="table compact" id="parties" empty=_("No parties recorded.") %}
          {% table_head _("Organisation") _("Role") %}
          <tbody>{% for party in parties %}<tr>…</tr>{% endfor %}</tbody>
        {% endtable %}

    renders <table class="table compact" id="parties">…</table>, or <p class="muted">No
    parties recorded.</p> (nothing without `empty`). `as` names the rows for the body, so a
    query runs once; `class` defaults to "table"; `empty_class` replaces "muted" ("" for
    none) and `empty_id` gives the sentence an id."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% table %} needs the rows it shows.")
    rows = parser.compile_filter(bits.pop(0))
    name = ""
    if len(bits) >= 2 and bits[0] == "as":
        name = bits[1]
        del bits[:2]
    options = token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError(f"{{% table %}} does not understand {bits[0]!r}.")
    nodelist = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(rows, name, options, nodelist)
